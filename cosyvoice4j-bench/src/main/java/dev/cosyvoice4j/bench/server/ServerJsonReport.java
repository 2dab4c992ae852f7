package dev.cosyvoice4j.bench.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cosyvoice4j.bench.JsonReport;

import static dev.cosyvoice4j.bench.JsonReport.num;

/**
 * The machine-readable server report ({@code schema: cosyvoice4j-bench-server/1}, snake_case keys, units in the
 * key names, null = not measured). Per level the summary, then every request. The API key is never written.
 */
public final class ServerJsonReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ServerJsonReport() {}

    public static String write(ServerLoadReport report) {
        try {
            return JSON.writeValueAsString(tree(report)) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ObjectNode tree(ServerLoadReport report) {
        ObjectNode root = JSON.createObjectNode();
        root.put("schema", ServerLoadReport.SCHEMA);
        root.put("generated_by", "cosyvoice4j bench --server");
        root.set("environment", JsonReport.environment(report.environment()));
        ServerLoadConfig c = report.config();
        ObjectNode server = root.putObject("server");
        server.put("url", c.server().toString());
        server.put("health", report.server().health());
        ArrayNode models = server.putArray("models");
        report.server().models().forEach(models::add);
        ObjectNode cfg = root.putObject("config");
        SpeechRequest r = c.request();
        cfg.put("model", r.model());
        cfg.put("text", r.input());
        if (r.voice() != null) cfg.put("voice", r.voice());
        else cfg.putNull("voice");
        if (r.refSource() != null) cfg.put("ref_wav", r.refSource());
        if (r.refText() != null) cfg.put("ref_text", r.refText());
        cfg.put("seed", r.seed());
        ArrayNode levels = cfg.putArray("concurrency");
        c.concurrency().forEach(levels::add);
        if (c.byDuration()) cfg.putNull("requests_per_level");
        else cfg.put("requests_per_level", c.requestsPerLevel());
        num(cfg, "duration_s", c.byDuration() ? c.durationS() : Double.NaN);
        cfg.put("warmup", c.warmup());
        cfg.put("api_key_sent", c.apiKey() != null);
        ArrayNode out = root.putArray("levels");
        for (ServerLevelResult l : report.levels()) out.add(level(l));
        return root;
    }

    private static ObjectNode level(ServerLevelResult l) {
        ObjectNode n = JSON.createObjectNode();
        n.put("concurrency", l.concurrency());
        num(n, "wall_s", l.wallS());
        n.put("requests", l.requests().size());
        n.put("ok", l.okCount());
        n.put("rejected_429", l.rejectedCount());
        n.put("errors", l.errorCount());
        num(n, "ttfa_ms_p50", l.ttfaMs(0.5));
        num(n, "ttfa_ms_p95", l.ttfaMs(0.95));
        num(n, "total_ms_p50", l.totalMs(0.5));
        num(n, "total_ms_p95", l.totalMs(0.95));
        num(n, "rtf_p50", l.rtf(0.5));
        num(n, "rtf_p95", l.rtf(0.95));
        num(n, "audio_seconds", l.audioSeconds());
        num(n, "audio_seconds_per_second", l.audioSecondsPerSecond());
        ArrayNode errors = n.putArray("error_messages");
        for (ServerLevelResult.ErrorCount e : l.errorMessages(ServerLoadReport.ERRORS_SHOWN)) {
            errors.addObject().put("message", e.message()).put("count", e.count());
        }
        ArrayNode reqs = n.putArray("request_results");
        for (ServerRequestResult r : l.requests()) {
            ObjectNode q = reqs.addObject();
            q.put("client", r.client());
            num(q, "start_ms", r.startMs());
            q.put("status", r.status());
            num(q, "ttfa_ms", r.ttfaMs());
            num(q, "total_ms", r.totalMs());
            q.put("audio_bytes", r.audioBytes());
            q.put("sample_rate_hz", r.sampleRateHz());
            num(q, "audio_seconds", r.audioBytes() > 0 ? r.audioSeconds() : 0);
            num(q, "rtf", r.rtf());
            if (r.error() != null) q.put("error", r.error());
            else q.putNull("error");
            num(q, "retry_after_s", r.retryAfterS());
        }
        return n;
    }
}
