package dev.cosyvoice4j.hub;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A transfer cut half way continues where it stopped, in the same run (retry) or the next one (the .incomplete file). */
class ResumeTest {
    @TempDir Path dir;
    final HubMirror mirror = HubMirror.start();
    final ModelId id = ModelId.parse("acme/tiny");

    @AfterEach
    void stop() { mirror.close(); }

    private List<HubMirror.Request> cdnRequests() {
        return mirror.requests().stream().filter(r -> r.port() == mirror.cdnPort()).toList();
    }

    @Test
    void droppedConnectionIsResumedWithARangeRequest() throws IOException {
        Map<String, byte[]> files = TestRepos.tiny();
        mirror.addRepo("acme/tiny", files);
        mirror.fault(TestRepos.WEIGHTS, HubMirror.Fault.drop(25_000));
        HubOptions o = TestRepos.options(mirror, dir).withRetries(2, Duration.ofMillis(1));
        PullResult r = new ModelHub(o).pull(id, HubKind.HUGGING_FACE, null, FileSelection.ALL, PullListener.NONE);

        assertArrayEquals(files.get(TestRepos.WEIGHTS), Files.readAllBytes(r.directory().resolve(TestRepos.WEIGHTS)));
        List<HubMirror.Request> cdn = cdnRequests();
        assertEquals(2, cdn.size(), cdn.toString());
        assertEquals(null, cdn.get(0).range());
        assertEquals("bytes=25000-", cdn.get(1).range());
    }

    @Test
    void interruptedPullLeavesAnIncompleteBlobThatTheNextPullResumes() throws IOException {
        Map<String, byte[]> files = TestRepos.tiny();
        String commit = mirror.addRepo("acme/tiny", files);
        mirror.fault(TestRepos.WEIGHTS, HubMirror.Fault.drop(25_000));
        ModelHub hub = new ModelHub(TestRepos.options(mirror, dir));          // no retries: the run fails

        HubException e = assertThrows(HubException.class, () -> hub.pull(id, HubKind.HUGGING_FACE, null, FileSelection.ALL, PullListener.NONE));
        assertEquals(HubException.Kind.NETWORK, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("/blobs/" + HubMirror.sha256(files.get(TestRepos.WEIGHTS))), e.getMessage());
        Path blob = hub.hfCache().repoDir(id).resolve("blobs").resolve(HubMirror.sha256(files.get(TestRepos.WEIGHTS)));
        Path partial = blob.resolveSibling(blob.getFileName() + ".incomplete");
        assertEquals(25_000, Files.size(partial));
        assertFalse(Files.exists(hub.hfCache().snapshotDir(id, commit).resolve(TestRepos.WEIGHTS)), "not in the snapshot before it is complete");
        assertTrue(Files.exists(hub.hfCache().snapshotDir(id, commit).resolve(TestRepos.CONFIG)), "the other files completed");

        List<PullFileEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        PullResult r = hub.pull(id, HubKind.HUGGING_FACE, null, FileSelection.ALL, new PullListener() {
            @Override
            public void started(RepoFile file, long offset) { events.add(new PullFileEvent(file.path(), offset)); }
        });
        assertEquals(List.of(new PullFileEvent(TestRepos.WEIGHTS, 25_000)), events);
        assertEquals("bytes=25000-", cdnRequests().getLast().range());
        assertArrayEquals(files.get(TestRepos.WEIGHTS), Files.readAllBytes(r.directory().resolve(TestRepos.WEIGHTS)));
        assertFalse(Files.exists(partial));
        assertEquals(1, r.downloadedFiles());
    }

    @Test
    void serverErrorIsRetried() throws IOException {
        Map<String, byte[]> files = TestRepos.tiny();
        mirror.addRepo("acme/tiny", files);
        mirror.fault(TestRepos.WEIGHTS, HubMirror.Fault.status(503));
        mirror.fault(TestRepos.WEIGHTS, HubMirror.Fault.drop(1000));
        HubOptions o = TestRepos.options(mirror, dir).withRetries(3, Duration.ofMillis(1));
        List<String> retries = new java.util.concurrent.CopyOnWriteArrayList<>();
        PullResult r = new ModelHub(o).pull(id, HubKind.HUGGING_FACE, null, FileSelection.ALL, new PullListener() {
            @Override
            public void retrying(RepoFile file, int attempt, String reason) { retries.add(attempt + " " + reason); }
        });
        assertArrayEquals(files.get(TestRepos.WEIGHTS), Files.readAllBytes(r.directory().resolve(TestRepos.WEIGHTS)));
        assertEquals(2, retries.size(), retries.toString());
        assertTrue(retries.get(0).startsWith("1 ") && retries.get(0).contains("503"), retries.toString());
    }

    @Test
    void stalledTransferTimesOutAndResumes() throws IOException {
        Map<String, byte[]> files = TestRepos.tiny();
        mirror.addRepo("acme/tiny", files);
        mirror.fault(TestRepos.WEIGHTS, HubMirror.Fault.stall(10_000, 2_000));     // the server stops sending for 2 s
        HubOptions o = TestRepos.options(mirror, dir).withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(200))
                .withRetries(3, Duration.ofMillis(1));
        PullResult r = new ModelHub(o).pull(id, HubKind.HUGGING_FACE, null, FileSelection.ALL, PullListener.NONE);
        assertArrayEquals(files.get(TestRepos.WEIGHTS), Files.readAllBytes(r.directory().resolve(TestRepos.WEIGHTS)));
        String range = cdnRequests().getLast().range();
        assertTrue(range != null && range.matches("bytes=[1-9][0-9]*-"), "resumed after the stall: " + range);
    }

    record PullFileEvent(String path, long offset) {}
}
