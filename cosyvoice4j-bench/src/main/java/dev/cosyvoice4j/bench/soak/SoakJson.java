package dev.cosyvoice4j.bench.soak;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cosyvoice4j.bench.soak.SoakResult.Outcome;

import java.util.Locale;
import java.util.Map;

/** {@code soak.json}: set-up, counts by kind and outcome, latency, failures, samples over time, trends and checks. */
final class SoakJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final int FAILURES_LISTED = 200;

    private SoakJson() {}

    static String write(SoakReport r) {
        ObjectNode root = JSON.createObjectNode();
        root.put("schema", SoakReport.SCHEMA);
        root.put("passed", r.passed());
        root.put("started", r.started().toString());
        root.set("environment", JSON.valueToTree(r.environment()));
        root.set("setup", JSON.valueToTree(r.setup()));
        root.put("server_health", r.serverHealth());
        root.put("load_seconds", r.loadSeconds());
        root.put("judged_from_seconds", r.judgedFromS());
        ObjectNode totals = root.putObject("totals");
        totals.put("operations", r.results().size());
        for (Outcome o : Outcome.values()) totals.put(lower(o.name()), r.count(o));
        totals.put("failures", r.failures());
        ObjectNode kinds = root.putObject("by_kind");
        for (Map.Entry<SoakOp, Map<Outcome, Long>> e : r.byKind().entrySet()) {
            ObjectNode k = kinds.putObject(lower(e.getKey().name()));
            for (Map.Entry<Outcome, Long> o : e.getValue().entrySet()) k.put(lower(o.getKey().name()), o.getValue());
        }
        ObjectNode variants = root.putObject("not_ok_by_variant");
        r.notOkByVariant().forEach(variants::put);
        ObjectNode lat = root.putObject("latency_ms");
        for (Map.Entry<SoakOp, SoakReport.Latency> e : r.latency().entrySet()) lat.set(lower(e.getKey().name()), JSON.valueToTree(e.getValue()));
        ArrayNode failures = root.putArray("failures");
        for (SoakResult f : r.failureList(FAILURES_LISTED)) failures.add(JSON.valueToTree(f));
        root.set("idle", JSON.valueToTree(r.idle()));
        root.set("settled", JSON.valueToTree(r.settled()));
        root.set("samples", JSON.valueToTree(r.samples()));
        root.set("trends", JSON.valueToTree(r.trends()));
        root.set("checks", JSON.valueToTree(r.checks()));
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String lower(String s) { return s.toLowerCase(Locale.ROOT); }
}
