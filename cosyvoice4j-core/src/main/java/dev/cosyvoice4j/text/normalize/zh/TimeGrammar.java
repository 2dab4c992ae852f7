package dev.cosyvoice4j.text.normalize.zh;

import java.util.ArrayList;
import java.util.List;

/**
 * Port of tn/chinese/rules/time.py: {@code h:mm(:ss)? ' '? (am|pm…)?} with : or ：, hours/minutes/seconds from
 * time/hour,minute,second.tsv ({@code :00} is silent: {@code 11:00 → 十一点}), noon.tsv read first
 * ({@code 1:02:36am → 上午一点零二分三十六秒}), optionally a range {@code time (-|~) time}. The optional space is
 * deleted even when no am/pm follows (as the grammar does).
 */
final class TimeGrammar implements ZhGrammar {
    record Parsed(int end, Token token) {}

    @Override
    public void match(ZhInput in, int start, Sink out) {
        for (Parsed t : parse(in, start)) {
            out.accept(t.end(), 0, () -> List.of(t.token()));
            int sep = in.at(t.end());
            if (sep == '-' || sep == '~') {
                for (Parsed u : parse(in, t.end() + 1)) {
                    out.accept(u.end(), 0, () -> List.of(t.token(), RangeToken.TO, u.token()));
                }
            }
        }
    }

    static List<Parsed> parse(ZhInput in, int p) {
        if (in.digitRun[p] == 0) return List.of();
        List<Parsed> out = new ArrayList<>(2);
        for (int hl = 1; hl <= 2; hl++) {
            String hour = ZhTables.HOUR.get(in, p, hl);
            if (hour == null || !colon(in.at(p + hl))) continue;
            int m = p + hl + 1;
            String minute = ZhTables.MINUTE.get(in, m, 2);
            if (minute == null) continue;
            withNoon(in, m + 2, out, "hour", hour, "minute", minute);
            if (colon(in.at(m + 2))) {
                String second = ZhTables.SECOND.get(in, m + 3, 2);
                if (second != null) withNoon(in, m + 5, out, "hour", hour, "minute", minute, "second", second);
            }
        }
        return out;
    }

    /** {@code delete(' ').ques + (noon).ques} after the clock. */
    private static void withNoon(ZhInput in, int q, List<Parsed> out, String... fields) {
        out.add(new Parsed(q, new Token("time", fields)));
        int r = in.skipSpace(q);
        if (r > q) out.add(new Parsed(r, new Token("time", fields)));
        ZhTables.NOON.matches(in, r, (end, noon) -> {
            String[] f = java.util.Arrays.copyOf(fields, fields.length + 2);
            f[fields.length] = "noon";
            f[fields.length + 1] = noon;
            out.add(new Parsed(end, new Token("time", f)));
        });
    }

    private static boolean colon(int c) {
        return c == ':' || c == '：';
    }
}
