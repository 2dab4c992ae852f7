package dev.cosyvoice4j.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The official text frontend, {@code CosyVoiceFrontEnd.text_normalize} (cosyvoice/cli/frontend.py) with the
 * helpers of cosyvoice/utils/frontend_utils.py ({@link FrontendUtils}), as it runs when neither ttsfrd nor
 * wetext is installed (the fixtures' and this port's situation; a wetext-like engine can be plugged in as a
 * {@link TextNormalizer}). For a string {@code text}:
 * <ol>
 * <li>If it contains both {@code "<|"} and {@code "|>"} (every CosyVoice3 prompt, every cross-lingual text
 *     with its {@code <|endofprompt|>} prefix), or {@code textFrontend} is false, or it is empty: returned
 *     unchanged, as one segment.</li>
 * <li>Python {@code strip()}.</li>
 * <li>Chinese (any code point in U+4E00..U+9FFF): normaliser (none by default); remove {@code \n};
 *     {@code replace_blank} (a space survives only between two non-space ASCII characters); ² -> 平方,
 *     ³ -> 立方; every {@code .} -> {@code 。} (so a decimal point splits the sentence, as in the official
 *     fallback); {@code " - "} -> {@code ，}; delete （ ） 【 】 and backticks, —— -> space; trailing
 *     {@code ，,、} run -> {@code 。}; then {@code split_paragraph(lang="zh")}, lengths in characters.</li>
 * <li>Otherwise: normaliser (none by default); {@code spell_out_number}: every run of digits is written out
 *     as inflect's {@code number_to_words} does ({@link InflectNumbers}: "1986" -> "one thousand, nine
 *     hundred and eighty-six", "3.5" -> "three.five"); then {@code split_paragraph(lang="en")}, lengths in
 *     Qwen2 tokens.</li>
 * <li>{@code split_paragraph} with {@code token_max_n=80, token_min_n=60, merge_len=20, comma_split=False}:
 *     sentences end at {@code 。？！；：、.?!;} (zh) or {@code .?!;:} (en), a final mark is added if missing,
 *     sentences are merged greedily into segments of at most ~80 units (see
 *     {@link FrontendUtils#splitParagraph}).</li>
 * <li>Segments made only of punctuation/symbols are dropped ({@code is_only_punctuation}).</li>
 * </ol>
 * What is <b>not</b> done (no normaliser installed, as in the official fallback): Chinese numbers, dates,
 * times, currencies, units and symbols are not verbalised; in English only plain digit runs are (no
 * decimals, ordinals, currencies, percentages, dates or symbols: "$1,234.56" becomes "$one,two hundred and
 * thirty-four.fifty-six"). Never throws: where the Python code raises on degenerate input (text of only
 * whitespace: IndexError in {@code split_paragraph}), the result is no segment.
 *
 * <p>Thread-safe (the tokenizer is). Golden cases: none (the fixtures use {@code text_frontend=False});
 * behaviour is pinned by unit tests with outputs of the official functions.
 */
public final class TextFrontend {
    /** {@code split_paragraph} parameters used by {@code text_normalize}. */
    public static final int TOKEN_MAX_N = 80, TOKEN_MIN_N = 60, MERGE_LEN = 20;

    private final Qwen2Tokenizer tokenizer;
    private final TextNormalizer normalizer;

    /** The official fallback frontend (no text normaliser). */
    public TextFrontend(Qwen2Tokenizer tokenizer) { this(tokenizer, TextNormalizer.NONE); }

    public TextFrontend(Qwen2Tokenizer tokenizer, TextNormalizer normalizer) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.normalizer = Objects.requireNonNull(normalizer, "normalizer");
    }

    private TextFrontend(TextNormalizer normalizer) {
        this.tokenizer = null;
        this.normalizer = Objects.requireNonNull(normalizer, "normalizer");
    }

    /** {@link #normalize} without a model: {@link #segments} needs the tokenizer (English segments are measured in tokens). */
    public static TextFrontend normalizerOnly(TextNormalizer normalizer) { return new TextFrontend(normalizer); }

    /**
     * {@code text_normalize(text, split=True, text_frontend)}: the segments to synthesise one after the other
     * (each is a separate LLM run). With {@code textFrontend == false}: {@code [text]}. Null counts as "".
     */
    public List<String> segments(String text, boolean textFrontend) {
        String t = text == null ? "" : text;
        if (bypasses(t, textFrontend)) return List.of(t);
        if (tokenizer == null) throw new IllegalStateException("segments need the model's tokenizer");
        Normalized n = normalizeForSplit(t);
        if (n.text.isEmpty()) return List.of();
        List<String> texts = FrontendUtils.splitParagraph(n.text, s -> tokenizer.encode(s).length,
                n.chinese ? FrontendUtils.Lang.ZH : FrontendUtils.Lang.EN, TOKEN_MAX_N, TOKEN_MIN_N, MERGE_LEN, false);
        List<String> out = new ArrayList<>(texts.size());
        for (String s : texts) if (!FrontendUtils.isOnlyPunctuation(s)) out.add(s);
        return List.copyOf(out);
    }

    /**
     * {@code text_normalize(text, split=False, text_frontend)}: the normalised text without splitting (the
     * official {@code inference_zero_shot} applies this to the prompt text, which for CosyVoice3 contains
     * {@code <|endofprompt|>} and so stays unchanged).
     */
    public String normalize(String text, boolean textFrontend) {
        String t = text == null ? "" : text;
        if (bypasses(t, textFrontend)) return t;
        return normalizeForSplit(t).text;
    }

    /** Whether the official frontend leaves {@code text} alone: markup {@code <|...|>} present. */
    public static boolean hasSpecialMarkup(String text) {
        return text.contains("<|") && text.contains("|>");
    }

    private static boolean bypasses(String text, boolean textFrontend) {
        return hasSpecialMarkup(text) || !textFrontend || text.isEmpty();
    }

    private record Normalized(String text, boolean chinese) {}

    private Normalized normalizeForSplit(String raw) {
        String text = FrontendUtils.pyStrip(raw);
        if (text.isEmpty()) return new Normalized(text, false);
        if (FrontendUtils.containsChinese(text)) {
            text = safeNormalize(text, true);
            text = text.replace("\n", "");
            text = FrontendUtils.replaceBlank(text);
            text = FrontendUtils.replaceCornerMark(text);
            text = text.replace(".", "。");
            text = text.replace(" - ", "，");
            text = FrontendUtils.removeBracket(text);
            text = replaceTrailingCommas(text);
            return new Normalized(text, true);
        }
        text = safeNormalize(text, false);
        text = FrontendUtils.spellOutNumber(text);
        return new Normalized(text, false);
    }

    private String safeNormalize(String text, boolean chinese) {
        String r = normalizer.normalize(text, chinese);
        return r == null ? text : r;
    }

    /** {@code re.sub(r'[，,、]+$', '。', text)} (no newline is left at this point, so {@code $} is the end). */
    static String replaceTrailingCommas(String text) {
        int e = text.length();
        while (e > 0 && "，,、".indexOf(text.charAt(e - 1)) >= 0) e--;
        return e == text.length() ? text : text.substring(0, e) + "。";
    }
}
