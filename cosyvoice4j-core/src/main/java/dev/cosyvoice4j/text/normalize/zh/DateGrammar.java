package dev.cosyvoice4j.text.normalize.zh;

import java.util.ArrayList;
import java.util.List;

/**
 * Port of tn/chinese/rules/date.py: {@code yyyy/m/d}, {@code d/m/yyyy}, {@code yyyy/mm}, {@code mm/yyyy},
 * {@code mm/d} with / - . as separators (each chosen freely), the year read digit by digit
 * ({@code 2008 → 二零零八年}, first digit non-zero), month and day from date/m,mm,d,dd.tsv; optionally a range
 * {@code date (-|~) date} with the separator read 到 (039007e: a {@code range} token).
 */
final class DateGrammar implements ZhGrammar {
    /** One parsed date: where it ends and its fields (year/month/day, in written order). */
    record Parsed(int end, Token token) {}

    @Override
    public void match(ZhInput in, int start, Sink out) {
        for (Parsed d : parse(in, start)) {
            out.accept(d.end(), 0, () -> List.of(d.token()));
            int sep = in.at(d.end());
            if (sep == '-' || sep == '~') {
                for (Parsed e : parse(in, d.end() + 1)) {
                    out.accept(e.end(), 0, () -> List.of(d.token(), RangeToken.TO, e.token()));
                }
            }
        }
    }

    static List<Parsed> parse(ZhInput in, int p) {
        if (in.digitRun[p] == 0) return List.of();
        List<Parsed> out = new ArrayList<>(2);
        String year = year(in, p);
        if (year != null && isSep(in.at(p + 4))) {
            int q = p + 5;
            // yyyy/m/d (month m|mm), yyyy/mm
            field(in, q, ZhTables.DATE_MM, ZhTables.DATE_M, (mEnd, month, twoDigit) -> {
                if (isSep(in.at(mEnd))) {
                    field(in, mEnd + 1, ZhTables.DATE_DD, ZhTables.DATE_D, (dEnd, day, dd) ->
                            out.add(new Parsed(dEnd, date(year, month, day))));
                }
                if (twoDigit) out.add(new Parsed(mEnd, date(year, month, null)));
            });
        }
        // d/m/yyyy
        field(in, p, ZhTables.DATE_DD, ZhTables.DATE_D, (dEnd, day, dd) -> {
            if (!isSep(in.at(dEnd))) return;
            field(in, dEnd + 1, ZhTables.DATE_MM, ZhTables.DATE_M, (mEnd, month, mm) -> {
                if (!isSep(in.at(mEnd))) return;
                String y = year(in, mEnd + 1);
                if (y != null) out.add(new Parsed(mEnd + 5, date(y, month, day)));
            });
        });
        // mm/yyyy, mm/d
        String mm = ZhTables.DATE_MM.get(in, p, 2);
        if (mm != null && isSep(in.at(p + 2))) {
            String y = year(in, p + 3);
            if (y != null) out.add(new Parsed(p + 7, date(y, mm, null)));
            field(in, p + 3, ZhTables.DATE_DD, ZhTables.DATE_D, (dEnd, day, dd) ->
                    out.add(new Parsed(dEnd, date(null, mm, day))));
        }
        return out;
    }

    private interface Field {
        void accept(int end, String spoken, boolean twoDigit);
    }

    /** A month or day: the two-digit table (01..12, 01..31) or the one/two-digit table without a leading 0. */
    private static void field(ZhInput in, int p, Trie twoDigit, Trie plain, Field f) {
        String two = twoDigit.get(in, p, 2);
        if (two != null) f.accept(p + 2, two, true);
        for (int len = 1; len <= 2; len++) {
            String s = plain.get(in, p, len);
            if (s != null) f.accept(p + len, s, false);
        }
    }

    /** yyyy = digit + (digit | zero)**3, read digit by digit with 年. */
    private static String year(ZhInput in, int p) {
        if (in.digitRun[p] < 4 || in.digitAt(p) == 0) return null;
        return NumberReader.digits(in, p, 4, false) + "年";
    }

    private static boolean isSep(int c) {
        return c == '/' || c == '-' || c == '.';
    }

    private static Token date(String year, String month, String day) {
        List<String> f = new ArrayList<>(6);
        if (year != null) { f.add("year"); f.add(year); }
        f.add("month"); f.add(month);
        if (day != null) { f.add("day"); f.add(day); }
        return new Token("date", f.toArray(String[]::new));
    }
}
