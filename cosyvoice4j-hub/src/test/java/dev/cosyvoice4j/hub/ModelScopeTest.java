package dev.cosyvoice4j.hub;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ModelScope as the second hub: its file-list API, its cache layout (dots in names as "___"), the same checks. */
class ModelScopeTest {
    @TempDir Path dir;
    final HubMirror mirror = HubMirror.start();
    final ModelId id = ModelId.parse("acme/Tiny-0.5B");

    @AfterEach
    void stop() { mirror.close(); }

    @Test
    void pullWritesModelScopesLayoutAndResumes() throws IOException {
        Map<String, byte[]> files = TestRepos.tiny();
        mirror.addRepo(id.toString(), files);
        mirror.fault(TestRepos.WEIGHTS, HubMirror.Fault.drop(20_000));
        ModelHub hub = new ModelHub(TestRepos.options(mirror, dir).withRetries(1, Duration.ofMillis(1)));
        PullResult r = hub.pull(id, HubKind.MODELSCOPE, null, FileSelection.ALL, PullListener.NONE);

        Path model = dir.resolve("ms/models/acme/Tiny-0___5B");
        assertEquals(model, r.directory());
        for (var f : files.entrySet()) assertArrayEquals(f.getValue(), Files.readAllBytes(model.resolve(f.getKey())), f.getKey());
        assertEquals(model, hub.modelScopeCache().find(id).orElseThrow());
        assertTrue(mirror.requests().stream().anyMatch(q -> q.path().endsWith("/api/v1/models/acme/Tiny-0.5B/repo/files?Revision=master&Recursive=True")),
                mirror.requests().toString());
        assertEquals("bytes=20000-", mirror.fileRequests(TestRepos.WEIGHTS).getLast().range());
        assertFalse(HuggingFaceLayoutTest.tree(dir.resolve("ms")).stream().anyMatch(p -> p.endsWith(".incomplete")));

        LocalModel listed = hub.localModels().getFirst();
        assertEquals("acme/Tiny-0.5B", listed.id());
        assertEquals(HubKind.MODELSCOPE, listed.hub());
    }

    @Test
    void corruptFileIsRefusedAndNotKept() throws IOException {
        mirror.addRepo(id.toString(), TestRepos.tiny());
        mirror.fault(TestRepos.WEIGHTS, HubMirror.Fault.corrupt());
        ModelHub hub = new ModelHub(TestRepos.options(mirror, dir));
        HubException e = assertThrows(HubException.class, () -> hub.pull(id, HubKind.MODELSCOPE, null, FileSelection.ALL, PullListener.NONE));
        assertEquals(HubException.Kind.CORRUPT, e.kind());
        assertFalse(Files.exists(dir.resolve("ms/models/acme/Tiny-0___5B").resolve(TestRepos.WEIGHTS)));
        assertFalse(HuggingFaceLayoutTest.treeOrEmpty(dir.resolve("ms")).stream().anyMatch(p -> p.contains(TestRepos.WEIGHTS) && !p.endsWith(".lock")));
    }

    @Test
    void unknownModelIsNotFound() {
        HubException e = assertThrows(HubException.class, () -> new ModelHub(TestRepos.options(mirror, dir))
                .pull(ModelId.parse("acme/none"), HubKind.MODELSCOPE, null, FileSelection.ALL, PullListener.NONE));
        assertEquals(HubException.Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains("/api/v1/models/acme/none/repo/files") && e.getMessage().contains("not found"), e.getMessage());
    }
}
