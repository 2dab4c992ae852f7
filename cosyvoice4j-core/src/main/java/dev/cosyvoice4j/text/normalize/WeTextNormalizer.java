package dev.cosyvoice4j.text.normalize;

import dev.cosyvoice4j.text.TextNormalizer;
import dev.cosyvoice4j.text.normalize.en.EnglishNormalizer;
import dev.cosyvoice4j.text.normalize.zh.ChineseNormalizer;

/**
 * The engine's text normaliser: what wetext ({@code Normalizer(remove_erhua=False)}, cosyvoice/cli/frontend.py:66-72)
 * does in the official frontend, in Java: the Chinese grammar for text with CJK ideographs, the English one otherwise,
 * and only when the text has a digit (wetext's gate, in both grammars). {@link dev.cosyvoice4j.text.TextFrontend}
 * never calls it for text with {@code <|...|>} markup. Thread-safe; never throws (a failure leaves the text as it is).
 */
public final class WeTextNormalizer implements TextNormalizer {
    private final ChineseNormalizer chinese = new ChineseNormalizer();
    private final EnglishNormalizer english = new EnglishNormalizer();

    @Override
    public String normalize(String text, boolean isChinese) {
        try {                                        // both grammars return a text without a digit unchanged (wetext's gate)
            String r = isChinese ? chinese.normalize(text) : english.normalize(text);
            return r == null ? text : r;
        } catch (RuntimeException e) {
            return text;                               // the official code would crash here; speaking the raw text is better
        }
    }
}
