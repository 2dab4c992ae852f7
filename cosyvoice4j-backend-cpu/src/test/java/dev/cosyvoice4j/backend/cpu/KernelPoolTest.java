package dev.cosyvoice4j.backend.cpu;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class KernelPoolTest {

    @Test
    void everyIndexRunsExactlyOnce() {
        try (KernelPool pool = new KernelPool(3, 50)) {
            for (int n : new int[]{0, 1, 2, 5, 100, 1000}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(n, 1));
                for (int rep = 0; rep < 20; rep++) pool.parallelFor(n, hits::incrementAndGet);
                for (int i = 0; i < n; i++) assertEquals(20, hits.get(i), "index " + i + " of " + n);
            }
        }
    }

    @Test
    void bodyExceptionReachesTheCaller() {
        try (KernelPool pool = new KernelPool(2, 50)) {
            IllegalStateException boom = new IllegalStateException("boom");
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> pool.parallelFor(64, i -> {
                if (i == 37) throw boom;
            }));
            assertSame(boom, thrown);
            AtomicInteger count = new AtomicInteger();
            pool.parallelFor(10, i -> count.incrementAndGet());
            assertEquals(10, count.get(), "the pool still works after a failure");
        }
    }

    @Test
    void nestedAndConcurrentCallsRunInline() throws Exception {
        try (KernelPool pool = new KernelPool(2, 0)) {
            AtomicInteger total = new AtomicInteger();
            pool.parallelFor(8, i -> pool.parallelFor(8, j -> total.incrementAndGet()));
            assertEquals(64, total.get());
            Thread[] callers = new Thread[4];
            AtomicInteger concurrent = new AtomicInteger();
            for (int t = 0; t < callers.length; t++) {
                callers[t] = new Thread(() -> {
                    for (int rep = 0; rep < 200; rep++) pool.parallelFor(16, i -> concurrent.incrementAndGet());
                });
                callers[t].start();
            }
            for (Thread t : callers) t.join();
            assertEquals(4 * 200 * 16, concurrent.get());
        }
    }

    @Test
    void warmUpRunsEveryKernelWithoutError() {
        try (CpuBackend k = new CpuBackend(dev.cosyvoice4j.backend.BackendOptions.defaults().withThreads(2))) {
            k.warmUp(java.time.Duration.ofMillis(300));
        }
    }

    @Test
    void closedPoolRunsOnTheCaller() {
        KernelPool pool = new KernelPool(2, 10);
        pool.close();
        AtomicInteger count = new AtomicInteger();
        pool.parallelFor(5, i -> count.incrementAndGet());
        assertEquals(5, count.get());
        assertThrows(IllegalArgumentException.class, () -> new KernelPool(0, 0));
    }

    @Test
    void whileAForegroundSectionIsOpenOtherCallersRunInline() throws Exception {
        try (KernelPool pool = new KernelPool(2, 50)) {
            java.util.Set<Thread> ranOn = java.util.concurrent.ConcurrentHashMap.newKeySet();
            java.util.concurrent.CountDownLatch open = new java.util.concurrent.CountDownLatch(1), done = new java.util.concurrent.CountDownLatch(1);
            Thread decoder = new Thread(() -> {
                try (var s = pool.foreground(); var nested = pool.foreground()) {
                    nested.close();                               // closing twice and nesting: still open until s closes
                    open.countDown();
                    done.await();
                    ranOn.clear();
                    for (int rep = 0; rep < 200 && ranOn.size() < 2; rep++) pool.parallelFor(64, i -> slowly(ranOn));
                    assertEquals(2, ranOn.size(), "the foreground thread itself still uses the pool");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            decoder.start();
            open.await();
            assertTrue(pool.yieldsToForeground());
            for (int rep = 0; rep < 50; rep++) pool.parallelFor(64, i -> ranOn.add(Thread.currentThread()));
            assertEquals(java.util.Set.of(Thread.currentThread()), ranOn, "a background caller runs its jobs alone");
            done.countDown();
            decoder.join();
            assertFalse(pool.yieldsToForeground(), "closed: the pool is shared again");
            ranOn.clear();
            for (int rep = 0; rep < 200 && ranOn.size() < 2; rep++) pool.parallelFor(64, i -> slowly(ranOn));
            assertEquals(2, ranOn.size(), "after the section, jobs use the pool threads again");
        }
    }

    /** Records the running thread, then spins ~20 us so that a pool thread has time to take indices. */
    private static void slowly(java.util.Set<Thread> ranOn) {
        ranOn.add(Thread.currentThread());
        long end = System.nanoTime() + 20_000;
        while (System.nanoTime() < end) Thread.onSpinWait();
    }
}
