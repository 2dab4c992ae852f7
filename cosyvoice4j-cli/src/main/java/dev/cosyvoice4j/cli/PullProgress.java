package dev.cosyvoice4j.cli;

import dev.cosyvoice4j.hub.PullListener;
import dev.cosyvoice4j.hub.PullResult;
import dev.cosyvoice4j.hub.RepoFile;
import dev.cosyvoice4j.hub.RepoSnapshot;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The download display: on a terminal, one updating line per file in transfer and a total (bytes, rate, ETA),
 * redrawn a few times a second; otherwise nothing until the caller prints {@link #summary}.
 */
final class PullProgress implements PullListener, AutoCloseable {
    private static final int BAR = 24;

    private final PrintWriter err;
    private final boolean live, announce;
    private final Map<String, FileState> files = new LinkedHashMap<>();
    private final AtomicLong received = new AtomicLong();
    private final long startNanos = System.nanoTime();
    private volatile long totalBytes, resumedBytes;
    private volatile Thread painter;
    private int drawnLines;

    /**
     * @param live     redraw the per-file lines (a terminal)
     * @param announce say what is about to be downloaded, where, and how much, even when not live
     */
    PullProgress(PrintWriter err, boolean live, boolean announce) {
        this.err = err;
        this.live = live;
        this.announce = announce;
    }

    private static final class FileState {
        final RepoFile file;
        final AtomicLong have = new AtomicLong();
        volatile long startNanos, startBytes;
        volatile boolean active, done;
        boolean printed;

        FileState(RepoFile file) { this.file = file; }
    }

    @Override
    public void planned(RepoSnapshot snapshot, List<RepoFile> toFetch, long bytesToFetch, Path directory) {
        synchronized (this) {
            for (RepoFile f : toFetch) files.put(f.path(), new FileState(f));
        }
        totalBytes = bytesToFetch;
        if (announce || live) {
            err.println(toFetch.isEmpty() ? snapshot.id() + ": every file is already in " + directory
                    : String.format(Locale.ROOT, "%s at %s: %d file(s), %s to download into %s", snapshot.id(),
                    shortCommit(snapshot.commit()), toFetch.size(), bytes(bytesToFetch), directory));
            err.flush();
        }
        if (live && !toFetch.isEmpty()) {
            Thread t = Thread.ofPlatform().daemon(true).name("pull-progress").start(this::paintLoop);
            painter = t;
        }
    }

    @Override
    public void started(RepoFile file, long offset) {
        FileState s = state(file);
        s.have.set(offset);
        s.startBytes = offset;
        s.startNanos = System.nanoTime();
        s.active = true;
        if (offset > 0) resumedBytes += offset;
    }

    @Override
    public void received(RepoFile file, long n) {
        state(file).have.addAndGet(n);
        received.addAndGet(n);
    }

    @Override
    public void restarted(RepoFile file) {
        FileState s = state(file);
        resumedBytes -= s.startBytes;
        s.have.set(0);
        s.startBytes = 0;
    }

    @Override
    public void retrying(RepoFile file, int attempt, String reason) {
        if (live) print(List.of("  retrying " + file.path() + " (attempt " + (attempt + 1) + "): " + reason));
    }

    @Override
    public void finished(RepoFile file) {
        FileState s = state(file);
        s.have.set(file.size());                        // also when another process brought it meanwhile
        s.active = false;
        s.done = true;
    }

    private synchronized FileState state(RepoFile f) { return files.computeIfAbsent(f.path(), k -> new FileState(f)); }

    private void paintLoop() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                paint(false);
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    /** One frame: lines of files finished since the last frame stay; the live block below is redrawn. */
    private synchronized void paint(boolean last) {
        List<String> permanent = new ArrayList<>(), block = new ArrayList<>();
        long have = 0;
        int done = 0;
        for (FileState s : files.values()) {
            have += s.have.get();
            if (s.done) {
                done++;
                if (!s.printed) permanent.add(String.format(Locale.ROOT, "  done %-40s %10s", clip(s.file.path()), bytes(s.file.size())));
                s.printed = true;
            } else if (s.active && !last) {
                block.add(line("  " + clip(s.file.path()), s.have.get(), s.file.size(), rate(s.have.get() - s.startBytes, s.startNanos)));
            }
        }
        if (!last) block.add(line(String.format(Locale.ROOT, "  total %d/%d files", done, files.size()), have, totalBytes,
                rate(received.get(), startNanos)));
        StringBuilder sb = new StringBuilder();
        if (drawnLines > 0) sb.append("\033[").append(drawnLines).append('A');
        for (String p : permanent) sb.append("\r\033[K").append(p).append('\n');
        for (String b : block) sb.append("\r\033[K").append(b).append('\n');
        sb.append("\033[J");                                    // lines of the previous frame below this one
        err.print(sb);
        err.flush();
        drawnLines = block.size();
    }

    private synchronized void print(List<String> lines) {
        StringBuilder sb = new StringBuilder();
        if (drawnLines > 0) sb.append("\033[").append(drawnLines).append('A').append("\033[J");
        for (String l : lines) sb.append("\r\033[K").append(l).append('\n');
        err.print(sb);
        err.flush();
        drawnLines = 0;
    }

    private static String line(String label, long have, long size, double bytesPerS) {
        int filled = size <= 0 ? BAR : (int) Math.min(BAR, have * BAR / size);
        String eta = bytesPerS <= 0 ? "--:--" : duration((size - have) / bytesPerS);
        return String.format(Locale.ROOT, "%-42s [%s%s] %10s / %-10s %11s/s  ETA %s", label, "#".repeat(filled),
                "-".repeat(BAR - filled), bytes(have), bytes(size), bytes((long) bytesPerS), eta);
    }

    private static double rate(long bytes, long sinceNanos) {
        double s = (System.nanoTime() - sinceNanos) / 1e9;
        return s < 0.5 ? 0 : bytes / s;
    }

    /** "downloaded 9 file(s), 4.93 GB in 3:10 (25.9 MB/s)" (or that nothing was needed), and where the model is. */
    String summary(PullResult r) {
        double s = (System.nanoTime() - startNanos) / 1e9;
        long fetched = received.get();
        String what = r.downloadedFiles() == 0 ? "nothing to download"
                : String.format(Locale.ROOT, "downloaded %d file(s), %s in %s (%s/s)%s", r.downloadedFiles(), bytes(fetched),
                duration(s), bytes((long) (s > 0 ? fetched / s : 0)), resumedBytes > 0 ? ", " + bytes(resumedBytes) + " resumed" : "");
        return r.snapshot().id() + " at " + shortCommit(r.snapshot().commit()) + ": " + what + "; model directory " + r.directory();
    }

    @Override
    public void close() {
        Thread t = painter;
        if (t == null) return;
        t.interrupt();
        try {
            t.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        paint(true);
    }

    /** Whether stderr is a terminal (since JDK 22 a Console exists for redirected streams too). */
    static boolean terminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    static String bytes(long b) {
        if (b < 1000) return b + " B";
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = b;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, units[u]);
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    private static String shortCommit(String c) { return c.matches("[0-9a-f]{40}") ? c.substring(0, 12) : c; }

    private static String clip(String path) { return path.length() <= 40 ? path : "..." + path.substring(path.length() - 37); }
}
