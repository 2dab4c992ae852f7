package dev.cosyvoice4j.text.normalize.en;

/**
 * Ordinals {@code 13th -> thirteenth}, a port of {@code tn/english/rules/ordinal.py}: the suffix must agree
 * with the number (1st, 2nd, 3rd except 11-13, else th; also upper case and superscript forms), the number
 * is read by the FAR graph (no "and") and the last word is turned into its ordinal
 * ({@code data/ordinal/digit.tsv}, {@code teen.tsv}, "ty" to "tieth", else "th").
 */
public final class Ordinal {
    private Ordinal() {}

    /** Last word of a cardinal reading turned ordinal: "twenty one" to "twenty first". */
    static String suffix(String words) {
        int sp = words.lastIndexOf(' ');
        String head = words.substring(0, sp + 1);
        String last = words.substring(sp + 1);
        String o = switch (last) {
            case "one" -> "first";
            case "two" -> "second";
            case "three" -> "third";
            case "five" -> "fifth";
            case "eight" -> "eighth";
            case "nine" -> "ninth";
            case "twelve" -> "twelfth";
            default -> last.endsWith("ty") ? last.substring(0, last.length() - 2) + "tieth" : last + "th";
        };
        return head + o;
    }

    private static final String[][] SUFFIXES = {{"st", "ST", "\u02E2\u1D57"}, {"nd", "ND", "\u207F\u1D48"},
            {"rd", "RD", "\u02B3\u1D48"}, {"th", "TH", "\u1D57\u02B0"}};

    static Match match(String s, int p) {
        int e = Cardinal.scan(s, p);
        if (e == p) return null;
        String d = s.substring(p, e).replace(",", "");
        int last = d.charAt(d.length() - 1) - '0';
        boolean teen = d.length() >= 2 && d.charAt(d.length() - 2) == '1';
        int kind = teen || last == 0 || last > 3 ? 3 : last - 1;
        for (String suf : SUFFIXES[kind]) {
            if (s.startsWith(suf, e)) {
                String w = Cardinal.graph(d);
                if (w == null) return null;
                return new Match(e + suf.length(), suffix(w));
            }
        }
        return null;
    }

    /** {@code Ordinal(deterministic=False).normalize}. */
    public static String normalize(String text) {
        Match m = match(text, 0);
        return m != null && m.end() == text.length() ? m.text() : text;
    }
}
