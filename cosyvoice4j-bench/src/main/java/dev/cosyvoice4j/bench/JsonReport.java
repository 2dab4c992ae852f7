package dev.cosyvoice4j.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;

/**
 * The machine-readable report ({@code schema: cosyvoice4j-bench/1}, snake_case keys, seconds unless the key
 * says otherwise, null = not measured). {@code runs[i].summary} holds the canonical keys {@code --compare}
 * reads back ({@link Baseline#KEYS}).
 */
public final class JsonReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonReport() {}

    public static String write(BenchReport report) {
        try {
            return JSON.writeValueAsString(tree(report)) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ObjectNode tree(BenchReport report) {
        ObjectNode root = JSON.createObjectNode();
        root.put("schema", BenchReport.SCHEMA);
        root.put("generated_by", "cosyvoice4j bench");
        root.set("environment", environment(report.environment()));
        ArrayNode runs = root.putArray("runs");
        for (RunResult r : report.runs()) runs.add(run(r));
        if (report.comparison() != null) root.set("comparison", comparison(report.comparison()));
        return root;
    }

    /** The environment block, shared with the server load report. */
    public static ObjectNode environment(BenchEnvironment e) {
        ObjectNode env = JSON.createObjectNode();
        env.put("date", e.date());
        env.put("cpu", e.cpuModel());
        env.put("logical_cores", e.logicalCores());
        num(env, "mem_total_gb", e.memTotalBytes() >= 0 ? e.memTotalBytes() / 1e9 : Double.NaN);
        env.put("os", e.os());
        env.put("arch", e.arch());
        env.put("java_version", e.javaVersion());
        env.put("java_vm", e.javaVm());
        ArrayNode args = env.putArray("jvm_args");
        e.jvmArgs().forEach(args::add);
        env.put("vector_bits", e.vectorBitSize());
        env.put("vector_species", e.vectorSpecies());
        env.put("load_average", e.loadAverage());
        return env;
    }

    private static ObjectNode run(RunResult r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("label", r.label(false));
        n.put("model", r.setup().modelDir().toString());
        ObjectNode setup = n.putObject("setup");
        setup.put("threads", r.setup().threads());
        setup.put("backend", r.setup().backend());
        setup.put("precision", r.setup().precision());
        setup.put("stream_cache", r.setup().streamCache());
        setup.put("first_chunk", r.setup().firstChunk());
        ObjectNode c = n.putObject("case");
        c.put("text", r.benchCase().text());
        c.put("prompt_wav", r.benchCase().promptWav().toString());
        c.put("prompt_text", r.benchCase().promptText());
        c.put("stream", r.benchCase().stream());
        c.put("speech_tokens", r.benchCase().speechTokens());
        c.put("speaker", r.benchCase().speaker());
        c.put("seed", r.benchCase().seed());
        ObjectNode load = n.putObject("load");
        num(load, "load_s", r.loadS());
        load.put("sample_rate_hz", r.load().sampleRateHz());
        load.put("backend", r.load().backend());
        load.put("precision", r.load().precision());
        ObjectNode details = load.putObject("details");
        new java.util.TreeMap<>(r.load().details()).forEach(details::put);
        n.put("warmup", r.warmup());
        ArrayNode its = n.putArray("iterations");
        for (int i = 0; i < r.iterations().size(); i++) its.add(iteration(r.iterations().get(i), r.traces().get(i)));
        ObjectNode agg = n.putObject("aggregates");
        r.aggregates().forEach((k, s) -> {
            ObjectNode a = agg.putObject(k);
            num(a, "mean", s.mean());
            num(a, "median", s.median());
            num(a, "min", s.min());
            num(a, "max", s.max());
            num(a, "stddev", s.stddev());
            a.put("n", s.n());
        });
        StageSummary s = r.stages();
        ObjectNode st = n.putObject("stages");
        num(st, "frontend_s", s.frontendS());
        num(st, "llm_prefill_s", s.prefillS());
        num(st, "prefill_positions", s.prefillPositions());
        num(st, "prefill_pos_per_s", s.prefillPosPerS());
        num(st, "llm_decode_s", s.decodeS());
        num(st, "decode_tokens", s.decodeTokens());
        num(st, "decode_tok_per_s", s.decodeTokPerS());
        num(st, "decode_ms_median", s.decodeMsMedian());
        num(st, "decode_ms_p90", s.decodeMsP90());
        num(st, "flow_s", s.flowS());
        num(st, "flow_calls", s.flowCalls());
        num(st, "flow_steps", s.flowSteps());
        num(st, "flow_step_ms", s.flowMsPerStep());
        num(st, "hift_s", s.hiftS());
        num(st, "hift_calls", s.hiftCalls());
        num(st, "hift_ms_per_audio_s", s.hiftMsPerAudioS());
        num(st, "other_s", s.otherS());
        ObjectNode mem = n.putObject("memory");
        MemoryStats m = r.memory();
        num(mem, "peak_rss_mb", mib(m.peakRssBytes()));
        num(mem, "rss_mb", mib(m.rssBytes()));
        num(mem, "heap_peak_mb", mib(m.heapPeakBytes()));
        num(mem, "heap_max_mb", mib(m.heapMaxBytes()));
        ObjectNode sum = n.putObject("summary");
        Baseline.of(r).metrics().forEach((k, v) -> num(sum, k, v));
        return n;
    }

    private static ObjectNode iteration(IterationMetrics m, IterationTrace t) {
        ObjectNode n = JSON.createObjectNode();
        n.put("iteration", m.iteration());
        num(n, "generation_s", m.generationS());
        num(n, "audio_s", m.audioS());
        num(n, "rtf", m.rtf());
        num(n, "rtf_core", m.rtfCore());
        num(n, "throughput", m.throughput());
        num(n, "ftl_s", m.ftlS());
        ArrayNode times = n.putArray("chunk_times_s"), samples = n.putArray("chunk_samples");
        for (IterationTrace.Chunk c : t.chunks()) {
            times.add((c.atNanos() - t.startNanos()) / 1e9);
            samples.add(c.samples());
        }
        ObjectNode st = n.putObject("stages");
        for (Map.Entry<Stage, IterationMetrics.StageTime> e : m.stages().entrySet()) {
            ObjectNode s = st.putObject(e.getKey().key());
            num(s, "total_s", e.getValue().totalS());
            s.put("events", e.getValue().events());
        }
        ObjectNode counters = n.putObject("counters");
        m.counters().forEach(counters::put);
        return n;
    }

    private static ObjectNode comparison(Comparison c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("source", c.source());
        ArrayNode tables = n.putArray("tables");
        for (Comparison.Table t : c.tables()) {
            ObjectNode tn = tables.addObject();
            tn.put("ours", t.ours());
            tn.put("theirs", t.theirs());
            ArrayNode rows = tn.putArray("rows");
            for (Comparison.Row r : t.rows()) {
                ObjectNode rn = rows.addObject();
                rn.put("key", r.key());
                num(rn, "ours", r.ours());
                num(rn, "theirs", r.theirs());
                num(rn, "factor", r.factor());
                rn.put("verdict", r.verdict());
            }
            ArrayNode notes = tn.putArray("notes");
            t.notes().forEach(notes::add);
        }
        return n;
    }

    private static double mib(long bytes) { return bytes >= 0 ? bytes / 1048576.0 : Double.NaN; }

    /** NaN and infinities become null (valid JSON). */
    public static void num(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) n.put(key, v);
        else n.putNull(key);
    }
}
