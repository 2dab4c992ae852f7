package dev.cosyvoice4j.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cosyvoice4j.io.ModelFormatException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run's headline numbers under canonical keys ({@link #KEYS}), whatever produced them: a run of ours
 * (current or an earlier {@code bench} JSON) or the official stack's {@code peer-bench-cpu.json}.
 * {@code threads}/{@code stream}/{@code tokens} (null = unknown) let a comparison pair like with like.
 */
public record Baseline(String label, Map<String, Double> metrics, Integer threads, Boolean stream, Integer tokens, List<String> notes) {
    /** Canonical metric keys, in report order. */
    public static final List<String> KEYS = List.of("load_s", "ftl_s", "rtf", "rtf_core", "generation_s", "audio_s",
            "frontend_s", "llm_prefill_s", "llm_decode_s", "decode_tok_per_s", "flow_s", "flow_step_ms", "hift_s", "peak_rss_mb");

    /** CausalConditionalCFM's n_timesteps in CosyVoice3Model.token2wav (for the peer's per-step time). */
    static final int PEER_CFM_STEPS = 10;

    public Baseline {
        metrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        notes = List.copyOf(notes);
    }

    public double get(String key) { return metrics.getOrDefault(key, Double.NaN); }

    /** Our run's numbers (means over its iterations). */
    public static Baseline of(RunResult r) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("load_s", r.loadS());
        m.put("ftl_s", r.aggregate("ftl_s").mean());
        m.put("rtf", r.aggregate("rtf").mean());
        m.put("rtf_core", r.aggregate("rtf_core").mean());
        m.put("generation_s", r.aggregate("generation_s").mean());
        m.put("audio_s", r.aggregate("audio_s").mean());
        StageSummary s = r.stages();
        m.put("frontend_s", s.frontendS());
        m.put("llm_prefill_s", s.prefillS());
        m.put("llm_decode_s", s.decodeS());
        m.put("decode_tok_per_s", s.decodeTokPerS());
        m.put("flow_s", s.flowS());
        m.put("flow_step_ms", s.flowMsPerStep());
        m.put("hift_s", s.hiftS());
        m.put("peak_rss_mb", r.memory().peakRssBytes() >= 0 ? r.memory().peakRssBytes() / 1048576.0 : Double.NaN);
        return new Baseline(r.label(false), m, r.setup().threads(), r.benchCase().stream(),
                r.benchCase().speechTokens() > 0 ? r.benchCase().speechTokens() : null, List.of());
    }

    /** Reads a bench JSON of ours (all its runs) or a peer-bench JSON (one baseline). */
    public static List<Baseline> read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelFormatException(file, "--compare: cannot read JSON: " + e.getMessage());
        }
        return fromJson(root, file);
    }

    static List<Baseline> fromJson(JsonNode root, Path file) {
        if (root.path("schema").asText("").startsWith("cosyvoice4j-bench/")) return fromOurs(root, file);
        if (root.path("result").has("rtf")) return List.of(fromPeer(root));
        throw new ModelFormatException(file, "--compare: neither a cosyvoice4j bench report (\"schema\": \"cosyvoice4j-bench/1\")"
                + " nor a peer-bench result (\"result\": {\"rtf\": ...})");
    }

    private static List<Baseline> fromOurs(JsonNode root, Path file) {
        List<Baseline> out = new ArrayList<>();
        for (JsonNode run : root.path("runs")) {
            JsonNode s = run.path("summary");
            Map<String, Double> m = new LinkedHashMap<>();
            for (String k : KEYS) m.put(k, num(s.get(k)));
            JsonNode c = run.path("case");
            out.add(new Baseline(run.path("label").asText("run " + (out.size() + 1)), m,
                    run.path("setup").has("threads") ? run.path("setup").get("threads").asInt() : null,
                    c.has("stream") ? c.get("stream").asBoolean() : null,
                    c.path("speech_tokens").asInt(0) > 0 ? c.get("speech_tokens").asInt() : null,
                    List.of("earlier cosyvoice4j run, " + root.path("environment").path("date").asText("date unknown"))));
        }
        if (out.isEmpty()) throw new ModelFormatException(file, "--compare: the report has no runs");
        return out;
    }

    /** Maps peer-bench-cpu.json's {@code result} keys onto ours; see the notes for what is not like for like. */
    static Baseline fromPeer(JsonNode root) {
        JsonNode r = root.path("result");
        Map<String, Double> m = new LinkedHashMap<>();
        double frontend = num(r.get("frontend_s_standin_onnx"));
        double core = num(r.get("total_core_s"));
        double gen = Double.isNaN(frontend) ? core : core + frontend;
        m.put("load_s", num(r.get("build_load_s")));
        m.put("ftl_s", gen); // non-streaming: the first audio is the whole utterance
        m.put("rtf", r.has("rtf_incl_standin_frontend") ? num(r.get("rtf_incl_standin_frontend")) : num(r.get("rtf")));
        m.put("rtf_core", num(r.get("rtf")));
        m.put("generation_s", gen);
        m.put("audio_s", num(r.get("audio_s")));
        m.put("frontend_s", frontend);
        m.put("llm_prefill_s", num(r.get("llm_prefill_s")));
        m.put("llm_decode_s", num(r.get("llm_decode_s")));
        m.put("decode_tok_per_s", num(r.get("llm_decode_tok_per_s")));
        m.put("flow_s", num(r.get("flow_cfm_s")));
        m.put("flow_step_ms", num(r.get("flow_cfm_s")) * 1e3 / PEER_CFM_STEPS);
        m.put("hift_s", num(r.get("hift_s")));
        m.put("peak_rss_mb", num(r.get("peak_rss_mb")));
        String torch = r.path("torch").asText("?");
        List<String> notes = new ArrayList<>();
        notes.add("official PyTorch stack (torch " + torch + ", " + r.path("device").asText("cpu") + ", "
                + r.path("threads").asText("?") + " threads" + (root.path("machine").has("cpu") ? ", " + root.path("machine").path("cpu").asText() : "") + ")");
        notes.add("peer ran non-streaming: its FTL is its whole generation time");
        notes.add("peer flow time per step = flow_cfm_s / " + PEER_CFM_STEPS + " (one offline call)");
        notes.add("peer RTF = rtf_incl_standin_frontend, RTF core = rtf (frontend excluded)");
        return new Baseline("official stack (peer-bench)", m, r.has("threads") ? r.get("threads").asInt() : null, false,
                r.has("n_tokens") ? r.get("n_tokens").asInt() : null, notes);
    }

    private static double num(JsonNode n) {
        return n == null || !n.isNumber() ? Double.NaN : n.asDouble();
    }
}
