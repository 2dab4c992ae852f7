package dev.cosyvoice4j.model.lm;

/**
 * The silent/breath-token cap of {@code CosyVoice3Model.llm_job} ({@code cosyvoice/cli/model.py}): tokens of
 * {@link #SILENT_TOKENS} are dropped from the flow input once more than {@link #MAX_SILENT_TOKEN_NUM} of them
 * came in a row; any other token resets the run. The LLM itself still sees every token (the filter applies only
 * to what the engine hands to the flow). Not used for voice conversion. One instance per utterance.
 */
public final class SilentTokenFilter {
    /** {@code CosyVoice3Model.silent_tokens}: "FSQ silent and breath token". */
    public static final int[] SILENT_TOKENS = {1, 2, 28, 29, 55, 248, 494, 2241, 2242, 2322, 2323};
    public static final int MAX_SILENT_TOKEN_NUM = 5;

    private int curSilentTokenNum;

    /** True when {@code token} goes to the flow; updates the run counter. */
    public boolean accept(int token) {
        if (isSilent(token)) {
            curSilentTokenNum++;
            return curSilentTokenNum <= MAX_SILENT_TOKEN_NUM;
        }
        curSilentTokenNum = 0;
        return true;
    }

    /** The tokens of {@code tokens} that pass, in order (a fresh run, independent of this instance's state). */
    public static int[] filter(int[] tokens) {
        SilentTokenFilter f = new SilentTokenFilter();
        return java.util.Arrays.stream(tokens).filter(f::accept).toArray();
    }

    public void reset() { curSilentTokenNum = 0; }

    public static boolean isSilent(int token) {
        for (int s : SILENT_TOKENS) if (s == token) return true;
        return false;
    }
}
