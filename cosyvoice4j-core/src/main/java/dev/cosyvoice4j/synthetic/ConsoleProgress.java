package dev.cosyvoice4j.synthetic;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of {@link SyntheticModelWriter} on a terminal: one self-overwriting line (percent, GB, MB/s, ETA)
 * refreshed at most every 200 ms; without a terminal, one line per file.
 */
public final class ConsoleProgress implements SyntheticModelWriter.Progress {
    private final PrintStream out;
    private final boolean interactive;
    private long total, done, t0, lastPrint;
    private String file = "";

    public ConsoleProgress(PrintStream out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    @Override
    public void begin(long totalBytes) {
        total = totalBytes;
        t0 = System.nanoTime();
    }

    @Override
    public void file(String name, long bytes) {
        file = name;
        if (!interactive) out.printf(Locale.ROOT, "writing %s (%.2f GB)%n", name, bytes / 1e9);
    }

    @Override
    public synchronized void advance(long bytes) {
        done += bytes;
        long now = System.nanoTime();
        if (interactive && (now - lastPrint > 200_000_000L || done == total)) {
            lastPrint = now;
            out.print("\r" + line(now) + "   ");
            out.flush();
        }
    }

    String line(long now) {
        double s = Math.max(1e-9, (now - t0) / 1e9);
        double rate = done / s;
        double eta = rate > 0 ? (total - done) / rate : 0;
        return String.format(Locale.ROOT, "%-8s %5.1f%%  %.2f / %.2f GB  %4.0f MB/s  ETA %3.0f s",
                file, total == 0 ? 100 : 100.0 * done / total, done / 1e9, total / 1e9, rate / 1e6, eta);
    }

    @Override
    public void end() {
        if (interactive) out.println("\r" + line(System.nanoTime()) + "   ");
    }
}
