package dev.cosyvoice4j.text.normalize.en;

/**
 * Plain words, {@code tn/english/rules/word.py}: a run of characters that are not separators, punctuation,
 * ASCII digits or the money/percent symbols is kept as it is (weight 100 per token, so every other grammar
 * is preferred where it applies).
 */
public final class Word {
    private Word() {}

    /** {@code Word().normalize}: the identity. */
    public static String normalize(String text) {
        return text;
    }
}
