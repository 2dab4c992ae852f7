package dev.cosyvoice4j.quality;

import dev.cosyvoice4j.engine.Engine;
import dev.cosyvoice4j.engine.StreamSchedule;
import dev.cosyvoice4j.engine.VoicePrompt;
import dev.cosyvoice4j.model.flow.DitCache;
import dev.cosyvoice4j.model.flow.FlowModel;
import dev.cosyvoice4j.model.flow.FlowSession;

import java.util.Arrays;
import java.util.Locale;

/**
 * What the chunk-causal last chunk ({@code --stream-cache causal}) changes: one utterance streamed on the official
 * schedule, its last chunk computed the official way (every frame again with full attention) and chunk-causally over the
 * DiT caches; mel and vocoded waveform of each against the other and against the offline (unstreamed) synthesis, and the
 * time of the last flow call. The official streamed output differs from the offline one too (the earlier chunks see no
 * future frames), which puts the deviation in proportion.
 *
 * @param tokens          speech tokens of the utterance
 * @param chunks          non-final chunk calls before the last one
 * @param causalVsOfficial mel of the causal last chunk against the official streamed mel
 * @param causalVsOfficialWav their waveforms
 * @param officialVsOffline official streamed mel against the offline mel
 * @param causalVsOffline causal streamed mel against the offline mel
 * @param officialFinalMs time of the official last flow call
 * @param causalFinalMs   time of the chunk-causal last flow call
 */
public record FinalChunkQuality(int tokens, int chunks, SignalComparison causalVsOfficial, SignalComparison causalVsOfficialWav,
                                SignalComparison officialVsOffline, SignalComparison causalVsOffline, double officialFinalMs,
                                double causalFinalMs) {

    /** Streams {@code tokens} with {@code prompt} through the engine's flow both ways. */
    public static FinalChunkQuality measure(Engine.Parts p, int[] tokens, VoicePrompt prompt) {
        FlowModel flow = p.flow();
        int bins = flow.config().outputSize(), ratio = flow.config().tokenMelRatio();
        FlowSession s = flow.newSession();
        DitCache cache = flow.newCache();
        StreamSchedule schedule = StreamSchedule.official(prompt.promptTokens().length);
        float[] streamed = new float[0];
        int chunks = 0;
        while (schedule.chunkReady(tokens.length)) {
            float[] mel = flow.inferenceCached(s, cache, null, Arrays.copyOf(tokens, schedule.tokensNeededForNextChunk()),
                    prompt.promptTokens(), prompt.promptMel(), prompt.promptFrames(), prompt.embedding(), false, null);
            streamed = concat(streamed, fromFrame(mel, bins, ratio * schedule.tokenOffset()), bins);
            schedule.advance();
            chunks++;
        }
        if (chunks == 0) throw new IllegalArgumentException(tokens.length + " tokens make no streaming chunk before the last");
        int from = ratio * schedule.tokenOffset();
        long t0 = System.nanoTime();
        float[] official = flow.inference(flow.newSession(), tokens, prompt.promptTokens(), prompt.promptMel(),
                prompt.promptFrames(), prompt.embedding(), false, true, null);
        long t1 = System.nanoTime();
        float[] causal = flow.inferenceCached(s, cache, null, tokens, prompt.promptTokens(), prompt.promptMel(),
                prompt.promptFrames(), prompt.embedding(), true, null);
        long t2 = System.nanoTime();
        float[] officialAll = concat(streamed, fromFrame(official, bins, from), bins);
        float[] causalAll = concat(streamed, fromFrame(causal, bins, from), bins);
        int frames = officialAll.length / bins;
        float[] officialWav = p.hift().inference(p.hift().newSession(), officialAll, frames, true).speech();
        float[] causalWav = p.hift().inference(p.hift().newSession(), causalAll, frames, true).speech();
        return new FinalChunkQuality(tokens.length, chunks, SignalComparison.of(causalAll, officialAll),
                SignalComparison.ofWaveform(causalWav, officialWav), SignalComparison.of(officialAll, official),
                SignalComparison.of(causalAll, official), (t1 - t0) / 1e6, (t2 - t1) / 1e6);
    }

    /** Frames {@code [from, frames)} of a channel-major mel. */
    static float[] fromFrame(float[] mel, int bins, int from) {
        int frames = mel.length / bins, n = Math.max(0, frames - from);
        float[] out = new float[bins * n];
        for (int c = 0; c < bins; c++) System.arraycopy(mel, c * frames + from, out, c * n, n);
        return out;
    }

    /** Two channel-major mels joined in time. */
    static float[] concat(float[] a, float[] b, int bins) {
        int fa = a.length / bins, fb = b.length / bins;
        float[] out = new float[a.length + b.length];
        for (int c = 0; c < bins; c++) {
            System.arraycopy(a, c * fa, out, c * (fa + fb), fa);
            System.arraycopy(b, c * fb, out, c * (fa + fb) + fa, fb);
        }
        return out;
    }

    /** A Markdown section for the quality report. */
    public String markdown() {
        StringBuilder b = new StringBuilder("\n## Chunk-causal last chunk (`--stream-cache causal`)\n\n");
        b.append(String.format(Locale.ROOT, "One utterance of %d speech tokens streamed on the official schedule (%d chunk(s) before the "
                + "last), float32. The official last chunk recomputes every frame with full attention (%.0f ms here); the "
                + "chunk-causal one computes only its new frames over the DiT caches (%.0f ms).%n%n", tokens, chunks, officialFinalMs, causalFinalMs));
        b.append("| comparison | max abs | rms err / ref rms | cosine | log-mel dB |\n|---|---|---|---|---|\n");
        row(b, "causal vs official streamed, mel", causalVsOfficial);
        row(b, "causal vs official streamed, waveform", causalVsOfficialWav);
        row(b, "official streamed vs offline, mel", officialVsOffline);
        row(b, "causal streamed vs offline, mel", causalVsOffline);
        return b.toString();
    }

    private static void row(StringBuilder b, String what, SignalComparison c) {
        b.append(String.format(Locale.ROOT, "| %s | %.3g | %.3g | %.6f | %s |%n", what, c.maxAbs(), c.relativeRms(), c.cosine(),
                Double.isNaN(c.logMelDb()) ? "" : String.format(Locale.ROOT, "%.3f", c.logMelDb())));
    }
}
