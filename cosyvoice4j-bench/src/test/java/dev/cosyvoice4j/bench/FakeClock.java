package dev.cosyvoice4j.bench;

/** A clock that only moves when told to (tests never time real work). */
final class FakeClock implements BenchClock {
    private long now = 1_000_000_000L;

    @Override
    public synchronized long nanoTime() { return now; }

    synchronized void advance(long nanos) { now += nanos; }

    void advanceMs(double ms) { advance(Math.round(ms * 1e6)); }
}
