package dev.cosyvoice4j.text.normalize.zh;

import java.util.ArrayList;
import java.util.List;

/**
 * Port of tn/chinese/rules/measure.py (039007e):
 * <ul>
 * <li>{@code (number (' '? unit)? to)? number ' '? unit}, unit = {@code (k→千 | w→万, +0.1)? (units_en | units_zh)},
 *     to = - ~ 到 → 到 ({@code 1-11个}, {@code 1kg → 一千克}, {@code 300w张 → 三百万张});</li>
 * <li>a number that is exactly 二 is read 两 ({@code 2年后 → 两年后}), but 两两/两月/两号 at the start and
 *     到两两/到两月/到两号 at the end go back to 二 ({@code 2两 → 二两}, {@code 2月 → 二月});</li>
 * <li>years {@code (yyyy (' '? unit)? to)? yyyy unit} with unit 年|年度|赛季, read digit by digit;</li>
 * <li>{@code measure ' '? / ' '? (measure | unit)} → 每 denominator numerator ({@code 10km/h → 每小时十公里}).</li>
 * </ul>
 * A measure number may carry , or ， between ASCII digits, deleted before reading (039007e strip_comma:
 * {@code 1,000个 → 一千个}).
 */
final class MeasureGrammar implements ZhGrammar {
    static final double PREFIX_WEIGHT = 0.1;

    /** A measure value: where it ends, its spoken form and its weight (unit prefixes). */
    record Value(int end, String text, double weight) {}

    @Override
    public void match(ZhInput in, int start, Sink out) {
        List<Value> measures = measures(in, start);
        for (Value v : measures) {
            out.accept(v.end(), v.weight(), () -> List.of(new Token("measure", "value", v.text())));
            // numerator / denominator
            int q = in.skipSpace(v.end());
            if (in.at(q) != '/') continue;
            q = in.skipSpace(q + 1);
            List<Value> dens = new ArrayList<>(measures(in, q));
            units(in, q, (end, unit, w) -> dens.add(new Value(end, unit, w)));
            for (Value d : dens) {
                out.accept(d.end(), v.weight() + d.weight(), () -> List.of(
                        new Token("measure", "numerator", v.text(), "denominator", d.text())));
            }
        }
        annual(in, start, (end, text) -> out.accept(end, 0, () -> List.of(new Token("measure", "value", text))));
    }

    /** measure = prefix? number ' '? units, with the 两/二 rewrites. */
    static List<Value> measures(ZhInput in, int start) {
        List<NumberReader.Reading> first = numbers(in, start);
        if (first.isEmpty()) return List.of();
        List<Value> out = new ArrayList<>(2);
        for (NumberReader.Reading n1 : first) {
            int q = in.skipSpace(n1.end());
            units(in, q, (uEnd, unit, w) -> {
                out.add(new Value(uEnd, fix(er(n1.text()) + unit), w));
                // 1个-11个: the prefix with its unit
                to(in, uEnd, toEnd -> second(in, toEnd, er(n1.text()) + unit + "到", w, out));
            });
            // 1-11个: the prefix without a unit
            to(in, n1.end(), toEnd -> second(in, toEnd, er(n1.text()) + "到", 0, out));
        }
        return out;
    }

    /** The number and unit after a prefix ending in 到. */
    private static void second(ZhInput in, int p, String prefix, double w0, List<Value> out) {
        for (NumberReader.Reading n2 : numbers(in, p)) {
            units(in, in.skipSpace(n2.end()),
                    (end, unit, w) -> out.add(new Value(end, fix(prefix + er(n2.text()) + unit), w0 + w)));
        }
    }

    /** Longest span scanned for a number with commas: 12 integer digits, their commas and a short decimal. */
    static final int MAX_COMMA_SPAN = 48;

    /**
     * Cardinal().number after strip_comma ({@code cdrewrite(delete(",") | delete("，"), DIGIT, DIGIT)}): when a
     * comma sits between ASCII digits ahead, the number is read from a copy without those commas and the reading
     * ends are mapped back to the text.
     */
    static List<NumberReader.Reading> numbers(ZhInput in, int start) {
        int first = in.at(start);
        if (in.digitRun[start] == 0 && first != '约' && first != '人' && first != '+' && first != '-' && first != '±') {
            return List.of();
        }
        int limit = Math.min(in.n, start + MAX_COMMA_SPAN);
        if (!commaAhead(in, start, limit)) return in.prefixedNumbers(start);
        int[] copy = new int[limit - start];
        int[] origin = new int[limit - start];
        int len = 0;
        boolean comma = false;
        int p = start;
        for (; p < limit; p++) {
            int c = in.cp[p];
            boolean isComma = (c == ',' || c == '，') && isAscii(in.at(p - 1)) && isAscii(in.at(p + 1)) && p > start;
            if (isComma) {
                comma = true;
                continue;
            }
            boolean numeric = ZhInput.digit(c) >= 0 || c == '.' || c == '%'
                    || (p == start && (c == '约' || c == '+' || c == '-' || c == '±' || c == '人'))
                    || (c == '均' && p > start && in.at(p - 1) == '人')
                    || ((c == '+' || c == '-' || c == '±' || c == '人') && p > start
                        && (in.at(p - 1) == '约' || in.at(p - 1) == '均'));
            if (!numeric) break;
            copy[len] = c;
            origin[len++] = p;
        }
        if (!comma) return in.prefixedNumbers(start);
        ZhInput stripped = new ZhInput(new String(copy, 0, len));
        List<NumberReader.Reading> out = new ArrayList<>();
        for (NumberReader.Reading r : stripped.prefixedNumbers(0)) {
            out.add(new NumberReader.Reading(origin[r.end() - 1] + 1, r::text));
        }
        return out;
    }

    /** Whether a , or ， between ASCII digits follows within the number-like characters from start. */
    private static boolean commaAhead(ZhInput in, int start, int limit) {
        for (int p = start + 1; p < limit; p++) {
            int c = in.cp[p];
            if ((c == ',' || c == '，') && isAscii(in.at(p - 1)) && isAscii(in.at(p + 1))) return true;
            if (ZhInput.digit(c) < 0 && c != '.' && c != '均' && c != '人' && c != '+' && c != '-' && c != '±') return false;
        }
        return false;
    }

    private static boolean isAscii(int c) {
        return c >= '0' && c <= '9';
    }

    private interface UnitHit {
        void accept(int end, String unit, double weight);
    }

    /** {@code (k→千 | w→万, +0.1)? (units_en | units_zh)} at p. */
    static void units(ZhInput in, int p, UnitHit hit) {
        ZhTables.UNITS.matches(in, p, (end, unit) -> hit.accept(end, unit, 0));
        int c = in.at(p);
        if (c == 'k' || c == 'w') {
            String pre = c == 'k' ? "千" : "万";
            ZhTables.UNITS.matches(in, p + 1, (end, unit) -> hit.accept(end, pre + unit, PREFIX_WEIGHT));
        }
    }

    private interface IntHit {
        void accept(int end);
    }

    /** to = cross('-', '到') | cross('~', '到') | accep('到'). */
    private static void to(ZhInput in, int p, IntHit hit) {
        int c = in.at(p);
        if (c == '-' || c == '~' || c == '到') hit.accept(p + 1);
    }

    /** A measure number that is exactly 二 is read 两 (cdrewrite 二 → 两 between [BOS] and [EOS]). */
    private static String er(String number) {
        return number.equals("二") ? "两" : number;
    }

    /** 两两/两月/两号 at the start → 二…; 到两两/到两月/到两号 at the end → 到二…. */
    private static String fix(String s) {
        for (String unit : new String[] {"两", "月", "号"}) {
            if (s.startsWith("两" + unit)) s = "二" + s.substring(1);
            if (s.endsWith("到两" + unit)) s = s.substring(0, s.length() - 2) + "二" + unit;
        }
        return s;
    }

    private interface TextHit {
        void accept(int end, String text);
    }

    /** annual = (yyyy (' '? unit)? to)? yyyy unit, yyyy = any four digits read one by one. */
    private static void annual(ZhInput in, int start, TextHit hit) {
        if (in.digitRun[start] < 4) return;
        int after = in.at(start + 4);
        if (after != '年' && after != '赛' && after != ' ' && after != '-' && after != '~' && after != '到') return;
        String y1 = NumberReader.digits(in, start, 4, false);
        int q = start + 4;
        yearUnits(in, q, (end, unit) -> hit.accept(end, y1 + unit));
        List<int[]> toEnds = new ArrayList<>(2);
        List<String> toTexts = new ArrayList<>(2);
        to(in, q, e -> { toEnds.add(new int[] {e}); toTexts.add(y1 + "到"); });
        yearUnits(in, in.skipSpace(q), (end, unit) -> to(in, end, e -> {
            toEnds.add(new int[] {e});
            toTexts.add(y1 + unit + "到");
        }));
        for (int k = 0; k < toEnds.size(); k++) {
            int p = toEnds.get(k)[0];
            if (in.digitRun[p] < 4) continue;
            String text = toTexts.get(k) + NumberReader.digits(in, p, 4, false);
            yearUnits(in, p + 4, (end, unit) -> hit.accept(end, text + unit));
        }
    }

    private static void yearUnits(ZhInput in, int p, TextHit hit) {
        if (in.at(p) != '年' && in.at(p) != '赛') return;
        if (in.at(p) == '年') {
            hit.accept(p + 1, "年");
            if (in.at(p + 1) == '度') hit.accept(p + 2, "年度");
        } else if (in.at(p + 1) == '季') {
            hit.accept(p + 2, "赛季");
        }
    }
}
