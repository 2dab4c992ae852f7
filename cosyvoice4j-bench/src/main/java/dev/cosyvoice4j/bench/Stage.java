package dev.cosyvoice4j.bench;

/**
 * Pipeline stages a {@link BenchTarget} reports. One event = one call: FRONTEND once per utterance (text
 * tokens, prompt speech tokens, speaker embedding, prompt mel), LLM_PREFILL once, LLM_DECODE once per
 * generated token, FLOW once per token2wav flow call (all ODE steps), FLOW_STEP once per ODE step (DiT call,
 * CFG batch included; nested inside FLOW), HIFT once per vocoder call.
 */
public enum Stage {
    FRONTEND("frontend", "Frontend", false),
    LLM_PREFILL("llm_prefill", "LLM prefill", false),
    LLM_DECODE("llm_decode", "LLM decode", false),
    FLOW("flow", "Flow (CFM)", false),
    FLOW_STEP("flow_step", "Flow ODE step", true),
    HIFT("hift", "Vocoder (HiFT)", false);

    private final String key;
    private final String title;
    private final boolean nested;

    Stage(String key, String title, boolean nested) {
        this.key = key;
        this.title = title;
        this.nested = nested;
    }

    /** snake_case name used in JSON. */
    public String key() { return key; }

    /** Human name used in Markdown and charts. */
    public String title() { return title; }

    /** True when the stage's time is already part of another stage (FLOW_STEP inside FLOW). */
    public boolean nested() { return nested; }

    /** The stages whose times add up to (at most) the generation time, in pipeline order. */
    public static java.util.List<Stage> topLevel() {
        return java.util.Arrays.stream(values()).filter(s -> !s.nested).toList();
    }
}
