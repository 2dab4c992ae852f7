package dev.cosyvoice4j.bench.soak;

import dev.cosyvoice4j.bench.BenchEnvironment;
import dev.cosyvoice4j.bench.soak.SoakResult.Outcome;

import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A soak run: saves the run's voices, takes every distinct request's serial answer (twice: a server that is not
 * deterministic even alone fails here, before the load), samples the idle server, then lets {@code clients} closed-loop
 * clients run the {@link SoakOp} mix for the duration while a sampler reads {@code /metrics} (after a forced full GC
 * when the server's pid is known). When the load ends it waits for the server to settle, samples it again, deletes the
 * voices, and judges: no failed operation, post-GC heap and resident memory flat over the judged window, threads and
 * file descriptors back to their idle values, every session back in the pool, the voice list as it was.
 */
public final class SoakRunner {
    static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(90);

    private final SoakConfig config;
    private final PrintStream log;
    private boolean gcWarned;

    public SoakRunner(SoakConfig config, PrintStream log) {
        this.config = config;
        this.log = log;
    }

    public SoakReport run() throws IOException, InterruptedException {
        Instant started = Instant.now();
        try (HttpClient probeHttp = client(); HttpClient loadHttp = client()) {
            SoakHttp probe = new SoakHttp(config, probeHttp);
            String health;
            try {
                health = probe.getText("/health").strip();
            } catch (IOException e) {
                throw new IOException("--server: cannot reach " + config.endpoint("/health") + " (" + SoakHttp.describe(e)
                        + "); is the server running? Start one with ./cosyvoice4j serve --model DIR --port P", e);
            }
            SoakCases cases = new SoakCases(config);
            probe.deleteVoice(SoakCases.VOICE_ZERO_SHOT);                      // left over from an interrupted run
            probe.deleteVoice(SoakCases.VOICE_CROSS_LINGUAL);
            List<String> voicesBefore = probe.voices();
            saveVoice(probe, SoakCases.VOICE_ZERO_SHOT, cases.promptWav, cases.promptTranscript);
            saveVoice(probe, SoakCases.VOICE_CROSS_LINGUAL, cases.promptWav, null);
            log.printf(Locale.ROOT, "soak: %s (%s); serial answers of %d requests...%n", config.server(), health,
                    cases.speech.size() + cases.sockets.size());
            Map<String, byte[]> serial = serialAnswers(cases, new SoakHttp(config, loadHttp), new SoakSocket(config, loadHttp));

            MetricsSample idle = sample(probe, -0.0, 0, true);
            log.printf(Locale.ROOT, "soak: idle: %s; %d clients for %d s%n", describe(idle), config.clients(), config.duration().toSeconds());

            ConcurrentLinkedQueue<SoakResult> results = new ConcurrentLinkedQueue<>();
            List<MetricsSample> samples = Collections.synchronizedList(new ArrayList<>());
            AtomicLong done = new AtomicLong();
            long loadStart = System.nanoTime();
            long deadline = loadStart + config.duration().toNanos();
            samples.add(sample(probe, 0, 0, true));
            ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "soak-sampler"));
            long period = config.sampleInterval().toMillis();
            sampler.scheduleWithFixedDelay(() -> {
                try {
                    MetricsSample s = sample(probe, (System.nanoTime() - loadStart) / 1e9, done.get(), true);
                    samples.add(s);
                    log.printf(Locale.ROOT, "soak: %5.0f s  %6d ops  %s%n", s.tS(), s.operationsDone(), describe(s));
                } catch (IOException e) {
                    log.println("soak: sample failed: " + SoakHttp.describe(e));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, period, period, TimeUnit.MILLISECONDS);

            ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
            Client.Shared shared = new Client.Shared(config, cases, serial, new SoakHttp(config, loadHttp),
                    new SoakSocket(config, loadHttp), loadStart, deadline, results, done);
            for (int c = 0; c < config.clients(); c++) clients.submit(new Client(shared, c));
            clients.shutdown();
            long grace = config.duration().toMillis() + config.requestTimeout().toMillis() + 30_000;
            int stuck = 0;
            if (!clients.awaitTermination(grace, TimeUnit.MILLISECONDS)) {
                stuck = clients.shutdownNow().size() + (int) (config.clients() - shared.finished.get());
                log.println("soak: " + stuck + " client(s) still waiting after the grace period");
            }
            sampler.shutdown();
            sampler.awaitTermination(2, TimeUnit.MINUTES);
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            loadHttp.shutdownNow();                                         // the load's connections go away
            loadHttp.awaitTermination(Duration.ofSeconds(30));

            MetricsSample settled = settle(probe, idle, loadStart, done.get());
            int deletedZs = probe.deleteVoice(SoakCases.VOICE_ZERO_SHOT), deletedXl = probe.deleteVoice(SoakCases.VOICE_CROSS_LINGUAL);
            List<String> voicesAfter = probe.voices();

            List<MetricsSample> all = new ArrayList<>(samples);
            all.sort((a, b) -> Double.compare(a.tS(), b.tS()));
            double judgedFrom = config.warmupFraction() * loadSeconds;
            List<MetricsSample> window = all.stream().filter(s -> s.tS() >= judgedFrom).toList();
            List<Trend> trends = List.of(
                    Trend.of("heap after GC", window, MetricsSample::heapAfterGcBytes),
                    Trend.of("resident set", window, MetricsSample::rssBytes),
                    Trend.of("heap in use", window, MetricsSample::heapUsedBytes),
                    Trend.of("heap committed", window, MetricsSample::heapCommittedBytes));
            List<SoakResult> list = List.copyOf(results);
            List<SoakReport.Check> checks = checks(list, trends, idle, settled, stuck, voicesBefore, voicesAfter,
                    deletedZs, deletedXl);
            return new SoakReport(BenchEnvironment.capture(), SoakReport.Setup.of(config), health, started, loadSeconds, judgedFrom,
                    list, all, idle, settled, trends, checks);
        }
    }

    private HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(30)).build();
    }

    private void saveVoice(SoakHttp http, String name, byte[] wav, String transcript) throws IOException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            SoakHttp.Answer a = http.uploadVoice(name, wav, transcript);
            if (a.ok()) return;
            if (a.outcome() != Outcome.REJECTED || attempt >= 30) throw new IOException("cannot save the soak voice '" + name + "': " + a.detail());
            Thread.sleep(1000);
        }
    }

    /** Each distinct request's answer, run alone twice: they must agree, or the comparison under load means nothing. */
    private Map<String, byte[]> serialAnswers(SoakCases cases, SoakHttp http, SoakSocket socket) throws IOException, InterruptedException {
        Map<String, byte[]> answers = new HashMap<>();
        for (int round = 0; round < 2; round++) {
            for (SoakCases.Speech c : cases.speech) record(answers, c.id(), http.speak(c.json(), c.sse(), c.format()));
            for (SoakCases.Socket c : cases.sockets) record(answers, c.id(), socket.task(c, "serial-" + c.id() + "-" + round, false));
        }
        return Map.copyOf(answers);
    }

    private static void record(Map<String, byte[]> answers, String id, SoakHttp.Answer a) throws IOException {
        if (!a.ok()) throw new IOException("the serial answer of request " + id + " failed (" + a.outcome() + "): " + a.detail()
                + (a.outcome() == Outcome.REJECTED ? " (is another client using the server?)" : "")
                + (a.audio() != null && a.audio().length == 0 ? " (a model with random weights may stop at once: serve it with --tokens N,"
                + " or try another --seed)" : ""));
        byte[] before = answers.putIfAbsent(id, a.audio());
        if (before != null && !Arrays.equals(before, a.audio())) {
            throw new IOException("request " + id + " gave different bytes in two serial runs (" + difference(a.audio(), before)
                    + "): the server is not deterministic for it, so nothing under load can be compared");
        }
    }

    static String difference(byte[] got, byte[] expected) {
        int i = Arrays.mismatch(got, expected);
        return got.length + " bytes vs " + expected.length + " serially, first difference at byte " + i;
    }

    /** After the load: polls until nothing runs and threads and fds are back within their slack, then a full sample. */
    private MetricsSample settle(SoakHttp probe, MetricsSample idle, long loadStart, long done) throws IOException, InterruptedException {
        long until = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
        while (System.nanoTime() < until) {
            MetricsSample s = sample(probe, (System.nanoTime() - loadStart) / 1e9, done, false);
            if (s.quiet() && withinSlack(s, idle)) break;
            Thread.sleep(1000);
        }
        MetricsSample s = sample(probe, (System.nanoTime() - loadStart) / 1e9, done, true);
        log.printf(Locale.ROOT, "soak: settled: %s%n", describe(s));
        return s;
    }

    private boolean withinSlack(MetricsSample s, MetricsSample idle) {
        return !(s.liveThreads() > idle.liveThreads() + config.bounds().threadSlack())
                && !(s.openFds() > idle.openFds() + config.bounds().fdSlack());
    }

    private MetricsSample sample(SoakHttp probe, double tS, long done, boolean gc) throws IOException, InterruptedException {
        if (gc && config.serverPid() > 0) forceGc();
        return MetricsSample.parse(probe.getText("/metrics"), tS, done);
    }

    /** {@code jcmd PID GC.run}: a full collection, so the heap figure that follows is the live set. */
    private void forceGc() throws InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            if (!Files.isExecutable(jcmd)) throw new IOException(jcmd + " not found (a JDK, not a JRE, runs the soak)");
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(config.serverPid()), "GC.run").redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("jcmd " + config.serverPid() + " GC.run failed: " + new String(out).strip());
            }
        } catch (IOException e) {
            if (!gcWarned) log.println("soak: warning: no forced GC (" + e.getMessage() + "); the heap figure is after the server's last GC");
            gcWarned = true;
        }
    }

    private List<SoakReport.Check> checks(List<SoakResult> results, List<Trend> trends, MetricsSample idle, MetricsSample settled,
                                         int stuck, List<String> voicesBefore, List<String> voicesAfter, int deletedZs, int deletedXl) {
        List<SoakReport.Check> c = new ArrayList<>();
        long failures = results.stream().filter(r -> r.outcome().failure).count();
        long ok = results.stream().filter(r -> r.outcome() == Outcome.OK).count();
        c.add(new SoakReport.Check("every response complete and identical to its serial run", failures == 0 && ok > 0,
                ok + " identical, " + failures + " failed"));
        c.add(new SoakReport.Check("every client finished", stuck == 0, stuck == 0 ? "all " + config.clients() : stuck + " stuck"));
        double mib = 1024 * 1024;
        Trend heap = trends.get(0), rss = trends.get(1);
        c.add(flat(heap, config.bounds().heapGrowthMiB() * mib, config.serverPid() > 0 ? "live heap after a forced full GC" : "heap after the last GC"));
        c.add(flat(rss, config.bounds().rssGrowthMiB() * mib, "resident set (VmRSS)"));
        double heapLeft = settled.heapAfterGcBytes() - idle.heapAfterGcBytes();
        c.add(new SoakReport.Check("heap after GC back to idle", Double.isFinite(heapLeft) && heapLeft <= config.bounds().heapGrowthMiB() * mib,
                String.format(Locale.ROOT, "%.1f MiB after the run, %.1f MiB idle (%+.1f MiB; bound %.0f MiB)", settled.heapAfterGcBytes() / mib,
                        idle.heapAfterGcBytes() / mib, heapLeft / mib, config.bounds().heapGrowthMiB())));
        c.add(new SoakReport.Check("live threads back to idle", !(settled.liveThreads() > idle.liveThreads() + config.bounds().threadSlack())
                && Double.isFinite(settled.liveThreads()),
                String.format(Locale.ROOT, "%.0f after, %.0f idle (slack %d)", settled.liveThreads(), idle.liveThreads(), config.bounds().threadSlack())));
        c.add(new SoakReport.Check("open file descriptors back to idle", !(settled.openFds() > idle.openFds() + config.bounds().fdSlack())
                && Double.isFinite(settled.openFds()),
                String.format(Locale.ROOT, "%.0f after, %.0f idle (slack %d)", settled.openFds(), idle.openFds(), config.bounds().fdSlack())));
        c.add(new SoakReport.Check("no session, synthesis or WebSocket left behind", settled.quiet() && !(settled.sessionsOpen() > settled.capacity()),
                String.format(Locale.ROOT, "sessions %.0f open / %.0f idle (capacity %.0f), %.0f active, %.0f queued, %.0f WebSockets",
                        settled.sessionsOpen(), settled.sessionsIdle(), settled.capacity(), settled.active(), settled.queued(), settled.webSockets())));
        boolean voicesOk = voicesAfter.equals(voicesBefore) && deletedZs / 100 == 2 && deletedXl / 100 == 2;
        c.add(new SoakReport.Check("saved voices as before (uploads deleted)", voicesOk,
                voicesOk ? voicesBefore.size() + " voice(s) besides the run's" : "before " + voicesBefore + ", after " + voicesAfter
                        + "; deleting the run's voices answered " + deletedZs + ", " + deletedXl));
        return List.copyOf(c);
    }

    private static SoakReport.Check flat(Trend t, double maxGrowth, String what) {
        boolean enough = t.samples() >= 3;
        boolean ok = enough && t.growth() <= maxGrowth;
        return new SoakReport.Check(t.figure() + " flat after warm-up", ok, !enough ? what + ": only " + t.samples() + " sample(s) in the window"
                : String.format(Locale.ROOT, "%s: %+.1f MiB over %.0f-%.0f s (%+.2f MiB/min; bound %.0f MiB), %.1f -> %.1f MiB", what,
                t.growth() / 1048576, t.fromS(), t.toS(), t.slopePerMinute() / 1048576, maxGrowth / 1048576, t.first() / 1048576, t.last() / 1048576));
    }

    static String describe(MetricsSample s) {
        return String.format(Locale.ROOT, "heap %.1f MiB (after GC %.1f, committed %.1f), RSS %.1f MiB, %.0f threads, %.0f fds, sessions %.0f/%.0f idle, %.0f active, %.0f queued, %.0f ws",
                s.heapUsedBytes() / 1048576, s.heapAfterGcBytes() / 1048576, s.heapCommittedBytes() / 1048576, s.rssBytes() / 1048576,
                s.liveThreads(), s.openFds(),
                s.sessionsOpen(), s.sessionsIdle(), s.active(), s.queued(), s.webSockets());
    }

    /** One closed-loop client: picks an operation, runs it, records what happened, until the deadline. */
    static final class Client implements Runnable {
        record Shared(SoakConfig config, SoakCases cases, Map<String, byte[]> serial, SoakHttp http, SoakSocket socket,
                      long loadStart, long deadline, ConcurrentLinkedQueue<SoakResult> results, AtomicLong done,
                      AtomicLong finished) {
            Shared(SoakConfig config, SoakCases cases, Map<String, byte[]> serial, SoakHttp http, SoakSocket socket,
                   long loadStart, long deadline, ConcurrentLinkedQueue<SoakResult> results, AtomicLong done) {
                this(config, cases, serial, http, socket, loadStart, deadline, results, done, new AtomicLong());
            }
        }

        private final Shared s;
        private final int index;
        private final Random random;
        private int count;

        Client(Shared s, int index) {
            this.s = s;
            this.index = index;
            this.random = new Random(s.config().seed() * 1_000_003L + index);
        }

        @Override
        public void run() {
            try {
                while (System.nanoTime() < s.deadline()) {
                    SoakOp op = SoakOp.pick(random);
                    double startS = (System.nanoTime() - s.loadStart()) / 1e9;
                    SoakResult r;
                    try {
                        r = step(op, startS);
                    } catch (RuntimeException e) {
                        r = new SoakResult(op, "-", Outcome.TRANSPORT, startS, 0, Double.NaN, 0, "client error: " + SoakHttp.describe(e));
                    }
                    s.results().add(r);
                    s.done().incrementAndGet();
                    if (r.outcome() == Outcome.REJECTED) Thread.sleep(200 + random.nextInt(800));   // back off a little, keep the pressure
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                s.finished().incrementAndGet();
            }
        }

        private <T> T any(List<T> list) { return list.get(random.nextInt(list.size())); }

        private String taskId() { return "soak-" + index + "-" + (count++); }

        SoakResult step(SoakOp op, double startS) throws InterruptedException {
            SoakCases cases = s.cases();
            return switch (op) {
                case SPEECH_STREAM -> speech(op, any(cases.speech.stream().filter(c -> c.streamed()).toList()), startS);
                case SPEECH_SSE -> speech(op, any(cases.speech.stream().filter(SoakCases.Speech::sse).toList()), startS);
                case SPEECH_OFFLINE -> speech(op, any(cases.speech.stream().filter(c -> !c.sse() && !c.streamed()).toList()), startS);
                case VOICE_CYCLE -> voiceCycle(startS);
                case WEBSOCKET -> {
                    SoakCases.Socket c = any(cases.sockets);
                    yield judge(op, c.id(), s.socket().task(c, taskId(), false), startS);
                }
                case DISCONNECT_HTTP -> s.http().disconnect(any(cases.streamed()), random, startS);
                case DISCONNECT_WS -> {
                    SoakCases.Socket c = any(cases.sockets);
                    SoakHttp.Answer a = s.socket().task(c, taskId(), true);
                    yield new SoakResult(op, c.id(), a.outcome() == Outcome.OK ? Outcome.DISCONNECTED : a.outcome(), startS,
                            a.latencyMs(), a.ttfaMs(), 0, a.detail());
                }
                case MALFORMED_HTTP -> s.http().malformed(op, any(cases.malformedHttp), startS);
                case MALFORMED_MULTIPART -> s.http().malformed(op, any(cases.malformedMultipart), startS);
                case MALFORMED_WS -> s.socket().malformed(any(List.of(SoakCases.MalformedSocket.values())), taskId(), startS);
            };
        }

        private SoakResult speech(SoakOp op, SoakCases.Speech c, double startS) throws InterruptedException {
            return judge(op, c.id(), s.http().speak(c.json(), c.sse(), c.format()), startS);
        }

        private SoakResult judge(SoakOp op, String id, SoakHttp.Answer a, double startS) {
            long bytes = a.audio() == null ? 0 : a.audio().length;
            if (!a.ok()) return new SoakResult(op, id, a.outcome(), startS, a.latencyMs(), a.ttfaMs(), bytes, a.detail());
            byte[] expected = s.serial().get(id);
            if (!Arrays.equals(a.audio(), expected)) {
                return new SoakResult(op, id, Outcome.MISMATCH, startS, a.latencyMs(), a.ttfaMs(), bytes, difference(a.audio(), expected));
            }
            return new SoakResult(op, id, Outcome.OK, startS, a.latencyMs(), a.ttfaMs(), bytes, null);
        }

        /** Upload a voice, speak the base case with it (same prompt, same answer), delete it. */
        private SoakResult voiceCycle(double startS) throws InterruptedException {
            String name = "soak-tmp-" + index + "-" + (count++);
            SoakCases cases = s.cases();
            SoakHttp.Answer up = s.http().uploadVoice(name, cases.promptWav, cases.promptTranscript);
            if (!up.ok()) return new SoakResult(SoakOp.VOICE_CYCLE, "upload", up.outcome(), startS, up.latencyMs(), Double.NaN, 0, up.detail());
            SoakCases.Speech base = cases.voiceCycleBase();
            SoakResult r = judge(SoakOp.VOICE_CYCLE, base.id(), s.http().speak(SoakCases.withVoice(base, name), base.sse(), base.format()), startS);
            int deleted = s.http().deleteVoice(name);
            if (deleted / 100 != 2) {
                return new SoakResult(SoakOp.VOICE_CYCLE, "delete", Outcome.UNEXPECTED, startS, r.latencyMs(), r.ttfaMs(), 0,
                        "DELETE /v1/audio/voices/" + name + " answered " + deleted);
            }
            return r;
        }
    }
}
