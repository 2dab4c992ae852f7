package dev.cosyvoice4j.text.normalize.en;

import java.util.Map;

/**
 * Money, a port of {@code tn/english/rules/money.py}: a currency of {@code data/money/currency_major.tsv}
 * right before the amount ({@code $1 -> one dollar}, {@code $1.00 -> one dollar},
 * {@code $12.0500 -> twelve point oh five dollars}, {@code $1.2 million -> one point two million dollars}).
 * Integers read with "and", fractions digit by digit with trailing zeros trimmed, plural currency names by
 * {@link Plural}. {@code $} has two rows (dollar, us dollar); the first is taken.
 */
public final class Money {
    private Money() {}

    private static final Map<String, String> MAJOR = EnData.map("money_currency_major");
    private static final int MAX = EnData.maxKeyLength(MAJOR);

    static Match match(String s, int p) {
        String cur = EnData.longestKey(MAJOR, MAX, s, p);
        if (cur == null) return null;
        String name = MAJOR.get(cur);
        int q = p + cur.length();
        if (!EnData.digit(s, q) && !(EnData.at(s, q, '.') && EnData.digit(s, q + 1))) return null;
        int ie = Cardinal.scan(s, q);
        Match best = null;
        // integer [.000]
        if (ie > q) {
            String digits = s.substring(q, ie).replace(",", "");
            String w = Cardinal.withAnd(Cardinal.graph(digits));
            if (w != null) {
                int e = ie;
                if (EnData.at(s, e, '.') && EnData.digit(s, e + 1)) {
                    int fe = EnData.digitsEnd(s, e + 1);
                    if (s.substring(e + 1, fe).chars().allMatch(c -> c == '0')) e = fe;
                }
                if (EnData.boundary(s, e)) {
                    boolean one = digits.equals("1");
                    best = new Match(e, (one ? "one" : w) + " " + (one ? name : Plural.of(name)));
                }
            }
        }
        // decimal with a nonzero fraction, or with a quantity
        Decimal.Parsed d = Decimal.parse(s, q, true);
        if (d != null && EnData.boundary(s, d.end()) && (best == null || d.end() > best.end())) {
            String frac = d.fraction();
            if (frac != null) {
                String raw = s.substring(s.indexOf('.', q) + 1, EnData.digitsEnd(s, s.indexOf('.', q) + 1));
                int z = raw.length();
                while (z > 0 && raw.charAt(z - 1) == '0') z--;
                if (z == 0 && d.quantity() == null) return best;
                frac = z == 0 ? null : Cardinal.digits(raw.substring(0, z), true);
            }
            Decimal.Parsed t = new Decimal.Parsed(d.end(), d.integer(), frac, d.quantity());
            best = new Match(d.end(), t.words() + " " + Plural.of(name));
        }
        return best;
    }

    /** {@code Money(deterministic=False).normalize}. */
    public static String normalize(String text) {
        Match m = match(text, 0);
        return m != null && m.end() == text.length() ? m.text() : text;
    }
}
