package dev.cosyvoice4j.engine;

/** The official CosyVoice3 inference modes (cosyvoice/cli/cosyvoice.py). */
public enum Mode {
    /** {@code inference_zero_shot}: clone the prompt voice; prompt text = system instruction + transcript. */
    ZERO_SHOT,
    /** {@code inference_cross_lingual}: prompt audio only; the text carries the system prefix. */
    CROSS_LINGUAL,
    /** {@code inference_instruct2}: an instruction (dialect, emotion, speed ...) ending in {@code <|endofprompt|>}. */
    INSTRUCT2,
    /** {@code inference_vc}: re-voice a source recording with the prompt voice (no LLM). */
    VOICE_CONVERSION
}
