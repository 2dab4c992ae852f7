package dev.cosyvoice4j.hub;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two pulls of the same model at once (two hubs, as two processes would be) share the cache without corrupting it. */
class ConcurrentPullTest {
    @TempDir Path dir;
    final HubMirror mirror = HubMirror.start();

    @AfterEach
    void stop() { mirror.close(); }

    @Test
    void twoPullsOfOneModelDownloadEachBlobOnceAndBothSucceed() throws Exception {
        Map<String, byte[]> files = TestRepos.tiny();
        mirror.addRepo("acme/tiny", files);
        mirror.fault(TestRepos.WEIGHTS, HubMirror.Fault.stall(20_000, 300));   // keeps the first transfer in flight a while
        HubOptions o = TestRepos.options(mirror, dir).withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5));
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<PullResult>> pulls = new ArrayList<>();
        ExecutorService two = Executors.newFixedThreadPool(2);
        for (int i = 0; i < 2; i++) {
            pulls.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return new ModelHub(o).pull(ModelId.parse("acme/tiny"), HubKind.HUGGING_FACE, null, FileSelection.ALL, PullListener.NONE);
            }, two));
        }
        go.countDown();
        two.shutdown();
        for (CompletableFuture<PullResult> p : pulls) {
            PullResult r = p.get();
            for (var f : files.entrySet()) assertArrayEquals(f.getValue(), Files.readAllBytes(r.directory().resolve(f.getKey())), f.getKey());
        }
        long cdn = mirror.requests().stream().filter(r -> r.port() == mirror.cdnPort()).count();
        assertEquals(1, cdn, "the LFS blob was downloaded once: " + mirror.requests());
        assertTrue(HuggingFaceLayoutTest.tree(dir.resolve("hf")).stream().noneMatch(p -> p.endsWith(".incomplete")));
    }
}
