package dev.cosyvoice4j.text.normalize.en;

/**
 * English text normalisation as the official CosyVoice frontend runs it: {@code wetext.Normalizer()}
 * (0.0.4, English FSTs compiled from WeTextProcessing's {@code tn/english} grammar) on text containing a
 * digit; CosyVoice then applies {@code spell_out_number} (not done here, see
 * {@code dev.cosyvoice4j.text.FrontendUtils}).
 *
 * <p>Design: instead of composing FSTs, each grammar class ({@link Cardinal}, {@link Ordinal}, {@link Decimal},
 * {@link Fraction}, {@link Date}, {@link Time}, {@link Money}, {@link Measure}, {@link Telephone},
 * {@link Electronic}, {@link Whitelist}, {@link Range}, {@link Serial}) is a small hand-written matcher that
 * reads one token at a position and returns where it ends and its spoken form (tagger + verbalizer in one).
 * The normaliser scans left to right as the tagger's token grammar allows ({@code tn/english/normalizer.py}:
 * tokens separated by spaces or punctuation marks, a sign or leading dot only after a space or at the
 * start), keeps the longest reading at each token start (one token is always cheaper than several: every
 * class weighs about 1, a punctuation token 2, a plain word 100) and breaks ties by the class weights
 * (date and fraction 0.99 before the 1.0 classes, serial 1.01 last). Text between tokens is copied as it
 * is, so spacing and punctuation are preserved (WeTextProcessing's output, not wetext 0.0.4's
 * " , " re-spacing). A chunk with a digit that no class reads is read by {@link Serial#read}: nothing is
 * dropped and nothing throws. Every matcher looks a bounded distance ahead or consumes what it scans, so
 * the whole pass is linear in the input.
 */
public final class EnglishNormalizer {

    /** The full normaliser: {@code text} stripped; returned as is when it has no digit (wetext's gate). */
    public String normalize(String text) {
        if (text == null) return "";
        String s = strip(text);
        if (!hasDigit(s)) return s;
        return new Pass(s).run();
    }

    static boolean hasDigit(String s) {
        for (int i = 0; i < s.length(); i++) if (Character.isDigit(s.charAt(i))) return true;
        return false;
    }

    private static boolean isWs(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85;
    }

    /** Python's {@code str.strip()} (CosyVoice strips before normalising). */
    static String strip(String s) {
        int a = 0, b = s.length();
        while (a < b && isWs(s.charAt(a))) a++;
        while (b > a && isWs(s.charAt(b - 1))) b--;
        return s.substring(a, b);
    }

    /** One left-to-right pass over a text. */
    private static final class Pass {
        private final String s;
        private final StringBuilder out;
        /** Serial / electronic runs already known not to match from any start before these indices. */
        private int noSerialUntil = -1;
        private int noElectronicUntil = -1;

        Pass(String s) {
            this.s = s;
            this.out = new StringBuilder(s.length() + s.length() / 2);
        }

        String run() {
            int n = s.length();
            int p = 0;
            boolean tokenStart = true;
            while (p < n) {
                char c = s.charAt(p);
                if (EnData.space(c)) {
                    out.append(c);
                    p++;
                    tokenStart = true;
                    continue;
                }
                if (tokenStart) {
                    Match m = best(p, p == 0 || EnData.space(s.charAt(p - 1)));
                    if (m != null) {
                        out.append(m.text());
                        p = m.end();
                        tokenStart = true;
                        continue;
                    }
                }
                if (EnData.punct(c)) {
                    out.append(c);
                    p++;
                    tokenStart = true;
                    continue;
                }
                int e = p;
                boolean digit = false;
                while (e < n && !EnData.space(s.charAt(e)) && !EnData.punct(s.charAt(e))) {
                    digit |= EnData.digit(s.charAt(e));
                    e++;
                }
                String chunk = s.substring(p, e);
                out.append(digit ? Serial.read(chunk) : chunk);
                p = e;
                tokenStart = true;
            }
            return out.toString();
        }

        private Match pick(Match best, Match m) {
            if (m == null || !EnData.boundary(s, m.end())) return best;
            return best == null || m.end() > best.end() ? m : best;
        }

        /** The longest reading at a token start; ties go to the earlier (cheaper) class. */
        private Match best(int p, boolean afterSpace) {
            char c = s.charAt(p);
            if (!afterSpace && (c == '-' || c == '.' || c == '\'')) return null;
            boolean num = EnData.digit(c) || c == '-' || c == '.';
            Match best = null;
            best = pick(best, Date.match(s, p));
            best = pick(best, Fraction.match(s, p));
            if (EnData.digit(c)) best = pick(best, Time.match(s, p));
            best = pick(best, Money.match(s, p));
            best = pick(best, Measure.match(s, p));
            if (EnData.digit(c) || c == '+' || c == '(') best = pick(best, Telephone.match(s, p));
            if (num) best = pick(best, Decimal.match(s, p));
            if (EnData.alpha(c) && p >= noElectronicUntil) {
                Match m = Electronic.match(s, p);
                if (m == null) noElectronicUntil = Electronic.runEnd(s, p);
                best = pick(best, m);
            }
            best = pick(best, Whitelist.match(s, p));
            best = pick(best, Range.match(s, p));
            if (EnData.digit(c)) best = pick(best, Ordinal.match(s, p));
            if (num) best = pick(best, Cardinal.match(s, p));
            if (p >= noSerialUntil) {
                Match m = Serial.match(s, p);
                if (m == null && (EnData.alpha(c) || EnData.digit(c))) noSerialUntil = Serial.runEnd(s, p);
                best = pick(best, m);
            }
            return best;
        }
    }

    /** {@code Cardinal(deterministic=False).normalize} and the other class-level entry points. */
    public static String cardinal(String text) { return Cardinal.normalize(text); }

    public static String ordinal(String text) { return Ordinal.normalize(text); }

    public static String decimal(String text) { return Decimal.normalize(text); }

    public static String fraction(String text) { return Fraction.normalize(text); }

    public static String date(String text) { return Date.normalize(text); }

    public static String time(String text) { return Time.normalize(text); }

    public static String money(String text) { return Money.normalize(text); }

    public static String measure(String text) { return Measure.normalize(text); }

    public static String telephone(String text) { return Telephone.normalize(text); }

    public static String electronic(String text) { return Electronic.normalize(text); }

    public static String whitelist(String text) { return Whitelist.normalize(text); }

    public static String roman(String text) { return Roman.normalize(text); }

    public static String range(String text) { return Range.normalize(text); }

    public static String word(String text) { return Word.normalize(text); }
}
