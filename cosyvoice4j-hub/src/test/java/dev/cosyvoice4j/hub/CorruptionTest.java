package dev.cosyvoice4j.hub;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bytes that do not hash to what the hub lists are deleted and reported, never kept or linked into a snapshot. */
class CorruptionTest {
    @TempDir Path dir;
    final HubMirror mirror = HubMirror.start();
    final ModelId id = ModelId.parse("acme/tiny");

    @AfterEach
    void stop() { mirror.close(); }

    @Test
    void corruptLfsFileIsRefusedAndNothingOfItIsKept() throws IOException {
        Map<String, byte[]> files = TestRepos.tiny();
        String commit = mirror.addRepo("acme/tiny", files);
        mirror.fault(TestRepos.WEIGHTS, HubMirror.Fault.corrupt());
        ModelHub hub = new ModelHub(TestRepos.options(mirror, dir));

        HubException e = assertThrows(HubException.class, () -> hub.pull(id, HubKind.HUGGING_FACE, null, FileSelection.ALL, PullListener.NONE));
        assertEquals(HubException.Kind.CORRUPT, e.kind());
        String sha = HubMirror.sha256(files.get(TestRepos.WEIGHTS));
        assertTrue(e.getMessage().startsWith("weights.pt from http://127.0.0.1:"), e.getMessage());
        assertTrue(e.getMessage().contains("sha256 is ") && e.getMessage().contains("the hub lists " + sha), e.getMessage());
        assertTrue(e.getMessage().contains("deleted"), e.getMessage());
        Path repo = hub.hfCache().repoDir(id);
        assertFalse(Files.exists(hub.hfCache().snapshotDir(id, commit).resolve(TestRepos.WEIGHTS)));
        try (Stream<Path> blobs = Files.list(repo.resolve("blobs"))) {
            assertTrue(blobs.noneMatch(b -> b.getFileName().toString().startsWith(sha)), "no blob or partial of the corrupt file");
        }
        assertTrue(Files.exists(hub.hfCache().snapshotDir(id, commit).resolve(TestRepos.CONFIG)), "good files are kept");

        PullResult again = hub.pull(id, HubKind.HUGGING_FACE, null, FileSelection.ALL, PullListener.NONE);   // the mirror is good again
        assertArrayEquals(files.get(TestRepos.WEIGHTS), Files.readAllBytes(again.directory().resolve(TestRepos.WEIGHTS)));
    }

    @Test
    void corruptSmallFileFailsItsGitBlobId() {
        mirror.addRepo("acme/tiny", TestRepos.tiny());
        mirror.fault(TestRepos.CONFIG, HubMirror.Fault.corrupt());
        ModelHub hub = new ModelHub(TestRepos.options(mirror, dir));
        HubException e = assertThrows(HubException.class, () -> hub.pull(id, HubKind.HUGGING_FACE, null, FileSelection.ALL, PullListener.NONE));
        assertEquals(HubException.Kind.CORRUPT, e.kind());
        assertTrue(e.getMessage().contains("config.yaml") && e.getMessage().contains("git blob sha1"), e.getMessage());
        assertTrue(hub.hfCache().snapshots(id).stream().noneMatch(s -> Files.exists(s.resolve(TestRepos.CONFIG))));
    }

    @Test
    void corruptResumedFileIsRefusedToo() {
        mirror.addRepo("acme/tiny", TestRepos.tiny());
        mirror.fault(TestRepos.WEIGHTS, HubMirror.Fault.drop(30_000));
        mirror.fault(TestRepos.WEIGHTS, HubMirror.Fault.corrupt());
        ModelHub hub = new ModelHub(TestRepos.options(mirror, dir).withRetries(1, java.time.Duration.ofMillis(1)));
        HubException e = assertThrows(HubException.class, () -> hub.pull(id, HubKind.HUGGING_FACE, null, FileSelection.ALL, PullListener.NONE));
        assertEquals(HubException.Kind.CORRUPT, e.kind(), e.getMessage());
    }
}
