package dev.cosyvoice4j.text.normalize.zh;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Chinese text normalisation as WeTextProcessing's grammar (tn/chinese, github wenet-e2e/WeTextProcessing at
 * 039007e, Apache-2.0) and the wetext runtime CosyVoice pins ({@code wetext.Normalizer(remove_erhua=False)})
 * produce it: digits, dates, times, money, measures, fractions, maths, phone numbers and scores become Chinese
 * words ({@code 共465篇 → 共四百六十五篇}, {@code 2002/01/28 → 二零零二年一月二十八日}).
 *
 * <p>How: the tagger of normalizer.py is {@code (date 1.02 | whitelist 1.03 | sport 1.04 | fraction 1.05 |
 * measure 1.05 | money 1.05 | time 1.05 | cardinal 1.06 | math 90 | char 100).star} and the shortest path wins.
 * Here every class ({@link ZhGrammar}) proposes the tokens that can start at each position, and a dynamic
 * programme over positions keeps the cheapest segmentation (ties: the path found first, i.e. the earlier start
 * and the earlier class in that list). Each class reads a bounded look-ahead (digit runs are precomputed), so
 * the whole is linear in the input; there are no regular expressions. Tokens are verbalized
 * ({@link ZhVerbalizer}) and post-processed ({@link ZhPostProcessor}) as the options say.
 *
 * <p>The default options are CosyVoice's: erhua kept, no traditional→simplified, no interjection removal, no
 * full→half width, no {@code <oov>} tags, and, as wetext does, a text without a decimal digit is returned
 * unchanged. Thread-safe; never throws on a non-null string.
 */
public final class ChineseNormalizer {
    /**
     * The switches of WeTextProcessing's {@code Normalizer} plus wetext's digit gate.
     *
     * @param onlyWithDigits      return a text without a Unicode decimal digit unchanged (wetext, not WeTextProcessing)
     */
    public record Options(boolean removeErhua, boolean traditionalToSimple, boolean removeInterjections,
                          boolean removePuncts, boolean fullToHalf, boolean tagOov, boolean onlyWithDigits) {
        /** What CosyVoice uses: {@code wetext.Normalizer(remove_erhua=False)}. */
        public static Options cosyVoice() {
            return new Options(false, false, false, false, false, false, true);
        }

        /** WeTextProcessing's own test configuration: {@code Normalizer(tag_oov=True)} with its defaults. */
        public static Options weTextProcessingTests() {
            return new Options(true, true, true, false, true, true, false);
        }
    }

    /** A class of normalizer.py with its weight, in the order of its union. */
    private record Weighted(ZhGrammar grammar, double weight) {}

    static final double CHAR_WEIGHT = 100;
    private static final double EPS = 1e-9;

    private static final List<Weighted> CLASSES = List.of(
            new Weighted(new DateGrammar(), 1.02),
            new Weighted(new WhitelistGrammar(), 1.03),
            new Weighted(new SportGrammar(), 1.04),
            new Weighted(new FractionGrammar(), 1.05),
            new Weighted(new MeasureGrammar(), 1.05),
            new Weighted(new MoneyGrammar(), 1.05),
            new Weighted(new TimeGrammar(), 1.05),
            new Weighted(new CardinalGrammar(), 1.06),
            new Weighted(new MathGrammar(), 90));

    private final Options options;
    private final ZhVerbalizer verbalizer;
    private final ZhPostProcessor postProcessor;

    /** CosyVoice's configuration. */
    public ChineseNormalizer() {
        this(Options.cosyVoice());
    }

    public ChineseNormalizer(Options options) {
        this.options = options;
        this.verbalizer = new ZhVerbalizer(options.removeErhua());
        this.postProcessor = new ZhPostProcessor(options.traditionalToSimple(), options.removeInterjections(),
                options.removePuncts(), options.fullToHalf(), options.tagOov());
    }

    /** Normalises {@code text} (null → ""). */
    public String normalize(String text) {
        if (text == null || text.isEmpty()) return "";
        if (options.onlyWithDigits() && !hasDecimalDigit(text)) return text;
        StringBuilder out = new StringBuilder(text.length() + text.length() / 2);
        for (Token t : tag(text)) verbalizer.verbalize(t, out);
        return postProcessor.process(out.toString());
    }

    /** The tokens of the cheapest path (what WeTextProcessing's {@code tag} prints), for tests and debugging. */
    List<Token> tag(String text) {
        ZhInput in = new ZhInput(text);
        int n = in.n;
        double[] best = new double[n + 1];
        Arrays.fill(best, Double.POSITIVE_INFINITY);
        best[0] = 0;
        int[] from = new int[n + 1];
        @SuppressWarnings({"unchecked", "rawtypes"})
        Supplier<List<Token>>[] tokens = new Supplier[n + 1];
        for (int i = 0; i < n; i++) {
            double base = best[i];
            int start = i;
            for (Weighted w : CLASSES) {
                double classWeight = w.weight();
                w.grammar().match(in, i, (end, weight, toks) -> {
                    double cost = base + classWeight + weight;
                    if (end > start && end <= n && cost < best[end] - EPS) {
                        best[end] = cost;
                        from[end] = start;
                        tokens[end] = toks;
                    }
                });
            }
            // char: any single character at 100
            double cost = base + CHAR_WEIGHT;
            if (cost < best[i + 1] - EPS) {
                best[i + 1] = cost;
                from[i + 1] = i;
                int c = in.cp[i];
                tokens[i + 1] = () -> List.of(CharGrammar.of(c));
            }
            in.release(i);
        }
        List<Supplier<List<Token>>> path = new ArrayList<>();
        for (int j = n; j > 0; j = from[j]) path.add(tokens[j]);
        List<Token> out = new ArrayList<>(path.size());
        for (int k = path.size() - 1; k >= 0; k--) out.addAll(path.get(k).get());
        return out;
    }

    /**
     * One class on its own over the whole text, as WeTextProcessing's per-class tests run it
     * ({@code Measure().normalize(written)}): the cheapest token sequence of that class covering all of
     * {@code text}, verbalized; null when the class does not accept the whole text.
     */
    String normalizeWithClass(String className, String text) {
        ZhGrammar g = switch (className) {
            case "measure" -> new MeasureGrammar();
            case "sport" -> new SportGrammar();
            case "cardinal" -> new CardinalGrammar();
            case "date" -> new DateGrammar();
            case "time" -> new TimeGrammar();
            case "money" -> new MoneyGrammar();
            case "fraction" -> new FractionGrammar();
            case "math" -> new MathGrammar();
            case "whitelist" -> new WhitelistGrammar();
            default -> throw new IllegalArgumentException(className);
        };
        ZhInput in = new ZhInput(text);
        double[] best = {Double.POSITIVE_INFINITY};
        List<Supplier<List<Token>>> chosen = new ArrayList<>();
        chosen.add(null);
        g.match(in, 0, (end, weight, toks) -> {
            if (end == in.n && weight < best[0] - EPS) {
                best[0] = weight;
                chosen.set(0, toks);
            }
        });
        if (best[0] == Double.POSITIVE_INFINITY) return null;
        StringBuilder out = new StringBuilder();
        for (Token t : chosen.get(0).get()) verbalizer.verbalize(t, out);
        return out.toString();
    }

    /** The {@code number} sub-grammar of cardinal.py over the whole text, or null (cardinal_test.py number cases). */
    static String readNumber(String text) {
        ZhInput in = new ZhInput(text);
        for (NumberReader.Reading r : in.prefixedNumbers(0)) {
            if (r.end() == in.n) return r.text();
        }
        return null;
    }

    /** The post-processor alone (postprocessor_test.py / preprocessor_test.py). */
    String postProcess(String text) {
        return postProcessor.process(text);
    }

    /** Python {@code re.search(r'\d', text)}: any Unicode decimal digit (Nd). */
    static boolean hasDecimalDigit(String text) {
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            if (Character.isDigit(c)) return true;
            i += Character.charCount(c);
        }
        return false;
    }
}
