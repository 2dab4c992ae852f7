package dev.cosyvoice4j.engine;

import org.junit.jupiter.api.Test;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The producer/reader hand-off of speech tokens, including the hold that gives the first chunk all the cores. */
class TokenBufferTest {
    @Test
    void heldProducerStopsAfterItsNextTokenAndResumesOnRelease() throws Exception {
        TokenBuffer tokens = new TokenBuffer();
        tokens.hold(true);
        ExecutorService producer = Executors.newSingleThreadExecutor();
        try {
            Future<?> job = producer.submit(() -> {
                for (int t = 1; t <= 3; t++) tokens.add(t);
                tokens.finish(null);
                return null;
            });
            assertEquals(1, tokens.awaitAtLeast(1));
            Thread.sleep(200);
            assertEquals(1, tokens.size(), "a held producer adds nothing more");
            assertFalse(job.isDone());
            tokens.hold(false);
            job.get(10, TimeUnit.SECONDS);
            assertEquals(3, tokens.awaitAtLeast(Integer.MAX_VALUE));
            assertArrayEquals(new int[] {1, 2, 3}, tokens.prefix(3));
        } finally {
            producer.shutdownNow();
        }
    }

    @Test
    void cancellingAHeldProducerEndsIt() throws Exception {
        TokenBuffer tokens = new TokenBuffer();
        tokens.hold(true);
        ExecutorService producer = Executors.newSingleThreadExecutor();
        try {
            Future<?> job = producer.submit(() -> {
                try {
                    for (int t = 1; t <= 3; t++) tokens.add(t);
                    tokens.finish(null);
                } catch (Throwable e) {
                    tokens.finish(e);
                }
            });
            tokens.awaitAtLeast(1);
            job.cancel(true);                                          // what the synthesizer does on cancel / error
            producer.shutdown();
            assertEquals(true, producer.awaitTermination(10, TimeUnit.SECONDS), "the interrupted producer returned");
        } finally {
            producer.shutdownNow();
        }
    }
}
