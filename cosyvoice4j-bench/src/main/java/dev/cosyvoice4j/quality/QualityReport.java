package dev.cosyvoice4j.quality;

import dev.cosyvoice4j.engine.PrecisionMode;
import dev.cosyvoice4j.bench.BenchEnvironment;
import dev.cosyvoice4j.backend.Precision;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What {@code quality} measured: per mode, the LLM and flow numbers of its precisions against float32 and, with
 * goldens, whether the golden end-to-end argmax tokens survive. Rendered as Markdown by {@link #markdown()}.
 *
 * @param llmRef  the float32 LLM (its timing and argmax tokens)
 * @param flowRef the float32 flow (its timing)
 */
public record QualityReport(BenchEnvironment environment, Setup setup, LlmPart llmRef, FlowPart flowRef, List<Row> rows) {
    public QualityReport {
        rows = List.copyOf(rows);
    }

    /**
     * The fixed inputs and settings.
     *
     * @param lmInputRows    rows of {@code lm_input} (prompt)
     * @param tokenSource    where the teacher-forced tokens came from
     * @param flowFrames     generated mel frames of the flow call (after the prompt's {@code promptFrames})
     * @param golden         the golden manifest directory, or null
     */
    public record Setup(Path modelDir, Path promptWav, String promptText, String text, int lmInputRows, int vocab, int[] tokens,
                        String tokenSource, int flowTokens, int promptFrames, int flowFrames, int threads, int repeats,
                        Path golden) {}

    /**
     * One LLM precision.
     *
     * @param prefillPrecision      of its prefill products (BF16 in a {@code q8_0+bf16} / {@code q4_0+bf16} mode)
     * @param fp32DecodeMsPerToken  the float32 LLM's time, measured alternately with this one (same background load)
     * @param runToRun              largest logit difference between repeated runs of this precision (NaN: one run)
     * @param decodeStepWeightBytes weight bytes one decode step streams
     * @param logits                teacher-forced logits against float32
     * @param argmaxTokens          greedy tokens (pinned count, or natural stop with goldens)
     */
    public record LlmPart(Precision precision, Precision prefillPrecision, double prefillMs, double decodeMsPerToken, double fp32DecodeMsPerToken,
                          double runToRun, long decodeStepWeightBytes,
                          LogitComparison logits, int[] argmaxTokens) {}

    /**
     * One flow precision.
     *
     * @param reduced whether it really ran reduced (false: BF16 asked, oneDNN absent, float32 ran)
     * @param fp32FlowMs the float32 flow's time, measured alternately with this one (same background load)
     * @param runToRun largest mel difference between repeated runs of this precision (NaN: one run)
     * @param mel     the flow mel against float32
     * @param wav     the float32 vocoder's waveform of that mel against the one of the float32 mel
     * @param noiseWav the same for the float32 mel plus white noise of the rms of this mode's mel error: how much
     *                 the vocoder itself amplifies a mel difference of that size
     */
    public record FlowPart(Precision precision, boolean reduced, String kernels, double flowMs, double fp32FlowMs, double runToRun,
                           SignalComparison mel,
                           SignalComparison wav, SignalComparison noiseWav) {}

    /**
     * Golden {@code e2e/zero_shot} in one mode: argmax tokens with the official stop rules, and the public
     * API's waveform for the same request.
     *
     * @param wav the waveform against the golden one; null when the lengths differ
     */
    public record GoldenE2e(int[] tokens, int[] golden, int wavSamples, int goldenWavSamples, SignalComparison wav) {
        public boolean tokensIdentical() { return Arrays.equals(tokens, golden); }

        /** First index where the tokens differ (or the shorter length), -1 when identical. */
        public int firstDifference() {
            if (tokensIdentical()) return -1;
            int n = Math.min(tokens.length, golden.length);
            for (int i = 0; i < n; i++) if (tokens[i] != golden[i]) return i;
            return n;
        }
    }

    /** One requested mode: its LLM part, its flow part, and the golden check (null without goldens). */
    public record Row(PrecisionMode mode, LlmPart llm, FlowPart flow, GoldenE2e golden) {}

    /** The report as Markdown (also what the command prints). */
    public String markdown() {
        StringBuilder b = new StringBuilder();
        Setup s = setup;
        BenchEnvironment e = environment;
        b.append("# cosyvoice4j quality: reduced precision against float32\n\n");
        b.append("- model: `").append(s.modelDir()).append("`").append(s.golden() != null ? ", goldens: `" + s.golden() + "`" : "").append('\n');
        b.append(String.format(Locale.ROOT, "- machine: %s, %d logical cores, load average %s; %d threads. %s%n",
                e.cpuModel(), e.logicalCores(), e.loadAverage().isEmpty() ? "unknown" : e.loadAverage(), s.threads(),
                "Times are the best of " + s.repeats() + " runs; the machine may be shared with other work, so they are indicative."));
        b.append(String.format(Locale.ROOT, "- LLM: zero-shot `lm_input` of %d rows (prompt text %s, text %s), then %d teacher-forced tokens (%s); "
                        + "logits are the raw `llm_decoder` outputs over all %d ids.%n",
                s.lmInputRows(), quote(s.promptText()), quote(s.text()), s.tokens().length, s.tokenSource(),
                s.vocab()));
        b.append(String.format(Locale.ROOT, "- Flow: one offline call on %d tokens after %d prompt frames -> %d mel frames; the waveform is the float32 HiFT "
                + "of each mel (golden source noise); `log-mel rms dB` compares the waveforms' log-mel spectrograms (phase-blind: the "
                + "vocoder integrates F0 into a phase, so a tiny pitch change moves samples a lot but is not heard); `same-rms noise` is the "
                + "fp32 mel plus white noise of the rms of the mode's mel error, through the same vocoder: how much the vocoder itself "
                + "amplifies a mel difference of that size; `run-to-run`: largest difference between repeated runs of the same mode "
                + "in one JVM (JIT recompilation changes float evaluation order, even on one thread; bf16 rounding turns such "
                + "1e-6 differences into bf16-ulp ones).%n", s.flowTokens(), s.promptFrames(), s.flowFrames()));
        b.append("- A mode's LLM numbers depend only on its LLM precision (with a quantised LLM, `+bf16` also runs its prefill "
                + "products in bf16) and its flow numbers only on its flow precision: each is measured once and shared by the modes "
                + "that use it; `=` marks a part the mode computes exactly as float32.\n\n");

        b.append("## Speed\n\n`vs fp32` divides by the float32 time measured alternately with the mode (shown in brackets), so both "
                + "saw the same background load.\n\n");
        b.append("| mode | LLM decode ms/token | vs fp32 | LLM prefill ms | LLM weight MB/step | flow ms/call | vs fp32 | flow kernels |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (Row r : rows) {
            LlmPart l = r.llm();
            FlowPart f = r.flow();
            b.append("| ").append(r.mode().name()).append(" | ")
                    .append(ms(l.decodeMsPerToken())).append(" | ").append(speedup(l.fp32DecodeMsPerToken(), l.decodeMsPerToken())).append(" | ")
                    .append(ms(l.prefillMs())).append(" | ").append(f1(l.decodeStepWeightBytes() / 1e6)).append(" | ")
                    .append(ms(f.flowMs())).append(" | ").append(speedup(f.fp32FlowMs(), f.flowMs())).append(" | ")
                    .append(f.kernels()).append(f.precision() == Precision.BF16 && !f.reduced() ? " (oneDNN absent: ran float32)" : "")
                    .append(" |\n");
        }

        b.append("\n## LLM logits, teacher-forced, against fp32\n\n");
        b.append(String.format(Locale.ROOT, "fp32 logits: rms %s, smallest top-1/top-2 gap over the steps %s, largest difference between "
                + "repeated fp32 runs %s.%n%n", g3(llmRef.logits().refRms()), g3(llmRef.logits().minRefMargin()), g3(llmRef.runToRun())));
        b.append("| mode | max abs err | mean abs err | rms err / rms | top-1 agree | top-5 overlap | top-10 overlap | top-25 overlap "
                + "| worst-step top-25 | run-to-run | argmax tokens = fp32 |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Row r : rows) {
            LlmPart l = r.llm();
            b.append("| ").append(r.mode().name()).append(" | ");
            if (l.precision() == Precision.F32 && l.prefillPrecision() == Precision.F32) {
                b.append("= | = | = | = | = | = | = | = | = | = |\n");
                continue;
            }
            LogitComparison c = l.logits();
            b.append(g3(c.maxAbs())).append(" | ").append(g3(c.meanAbs())).append(" | ").append(pct(c.relativeRms())).append(" | ")
                    .append(pct(c.top1Agreement())).append(" | ").append(pct(c.topKOverlap()[0])).append(" | ")
                    .append(pct(c.topKOverlap()[1])).append(" | ").append(pct(c.topKOverlap()[2])).append(" | ")
                    .append(pct(c.minTopKOverlap()[2])).append(" | ").append(g3(l.runToRun())).append(" | ").append(prefix(l.argmaxTokens(), llmRef.argmaxTokens())).append(" |\n");
        }
        b.append("\n`argmax tokens = fp32`: greedy decoding from the same `lm_input`")
                .append(s.golden() != null ? " with the official stop rules" : ", " + llmRef.argmaxTokens().length + " tokens pinned (stop ids masked)")
                .append("; matching prefix / fp32 length.\n");

        b.append("\n## Flow mel and waveform against fp32\n\n");
        b.append(String.format(Locale.ROOT, "fp32 mel: rms %s, peak %s, largest difference between repeated fp32 runs %s; fp32 waveform: rms %s, peak %s.%n%n",
                g3(flowRef.mel().refRms()), g3(flowRef.mel().refPeak()), g3(flowRef.runToRun()), g3(flowRef.wav().refRms()), g3(flowRef.wav().refPeak())));
        b.append("| mode | mel max abs err | mel rms err / rms | mel cosine | mel run-to-run | wav max abs err | wav rms err / rms | wav cosine "
                + "| wav log-mel rms dB | same-rms noise: wav cosine | log-mel dB |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            FlowPart f = r.flow();
            b.append("| ").append(r.mode().name()).append(" | ");
            if (f.precision() == Precision.F32) {
                b.append("= | = | = | = | = | = | = | = | = | = |\n");
                continue;
            }
            b.append(g3(f.mel().maxAbs())).append(" | ").append(pct(f.mel().relativeRms())).append(" | ").append(cos(f.mel().cosine())).append(" | ")
                    .append(g3(f.runToRun())).append(" | ").append(g3(f.wav().maxAbs())).append(" | ").append(pct(f.wav().relativeRms())).append(" | ").append(cos(f.wav().cosine())).append(" | ")
                    .append(f2(f.wav().logMelDb())).append(" | ").append(cos(f.noiseWav().cosine())).append(" | ")
                    .append(f2(f.noiseWav().logMelDb())).append(" |\n");
        }

        if (s.golden() != null) {
            b.append("\n## Golden e2e/zero_shot (argmax) in each mode\n\n");
            b.append("| mode | tokens identical to golden | tokens | waveform vs golden: max abs err | cosine | log-mel rms dB |\n|---|---|---:|---:|---:|---:|\n");
            for (Row r : rows) {
                GoldenE2e g = r.golden();
                b.append("| ").append(r.mode().name()).append(" | ")
                        .append(g.tokensIdentical() ? "**yes**" : "no (first difference at token " + g.firstDifference() + ")").append(" | ")
                        .append(g.tokens().length).append(" / ").append(g.golden().length).append(" | ");
                if (g.wav() == null) b.append("length ").append(g.wavSamples()).append(" vs ").append(g.goldenWavSamples()).append(" | - | - |\n");
                else b.append(g3(g.wav().maxAbs())).append(" | ").append(cos(g.wav().cosine())).append(" | ").append(f2(g.wav().logMelDb())).append(" |\n");
            }
            b.append("\nModes keeping the golden e2e tokens identical: ")
                    .append(String.join(", ", rows.stream().filter(r -> r.golden().tokensIdentical()).map(r -> r.mode().name()).toList()))
                    .append(".\n");
        }
        return b.toString();
    }

    private static String quote(String t) {
        String x = t.length() > 60 ? t.substring(0, 57) + "..." : t;
        return "'" + x.replace("|", "\\|") + "'";
    }

    private static String prefix(int[] a, int[] ref) {
        int n = 0;
        while (n < a.length && n < ref.length && a[n] == ref[n]) n++;
        return n + " / " + ref.length + (Arrays.equals(a, ref) ? " (identical)" : "");
    }

    private static String speedup(double ref, double x) {
        if (Double.isNaN(ref) || Double.isNaN(x) || x == 0) return "-";
        return ref == x ? "1.00x" : String.format(Locale.ROOT, "%.2fx (%s)", ref / x, ms(ref));
    }

    /** Milliseconds: two decimals below 10, one above. */
    private static String ms(double v) { return Math.abs(v) < 10 ? f2(v) : f1(v); }

    private static String f1(double v) { return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v); }
    private static String f2(double v) { return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v); }
    private static String g3(double v) { return v == 0 ? "0" : Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3g", v); }
    private static String pct(double v) { return String.format(Locale.ROOT, "%.2f%%", 100 * v); }

    /** Cosines close to 1 shown by their distance to 1 where that says more. */
    private static String cos(double c) {
        return c > 0.9999 ? String.format(Locale.ROOT, "1 - %.1e", 1 - c) : String.format(Locale.ROOT, "%.6f", c);
    }
}
