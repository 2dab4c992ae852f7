package dev.cosyvoice4j.text.normalize.zh;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Port of the {@code number} sub-grammar of tn/chinese/rules/cardinal.py (WeTextProcessing 039007e): positional
 * reading with 十/百/千/万/亿 ({@code 101→一百零一}, {@code 10001111→一千万一千一百一十一}), an optional sign
 * (number/sign.tsv), a decimal part read digit by digit after 点, and 二百/二千/二万/二亿 → 两… at the start.
 * The FST accepts every prefix of a digit run that has a reading, so one position yields several readings
 * ("123" gives 一, 十二, 一百二十三); the lattice of {@link ChineseNormalizer} picks among them by weight.
 */
final class NumberReader {
    private NumberReader() {}

    /**
     * A reading that ends before {@code end}. Its text is built on first use: most readings are only compared by
     * weight in the lattice and never spoken (a digit run offers up to 12 per position).
     */
    static final class Reading {
        private final int end;
        private Supplier<String> spec;
        private String text;

        Reading(int end, Supplier<String> spec) {
            this.end = end;
            this.spec = spec;
        }

        int end() {
            return end;
        }

        String text() {
            if (text == null) {
                text = spec.get();
                spec = null;
            }
            return text;
        }
    }

    static final String[] DIGIT = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"};

    /** The longest integer part with a reading: 12 digits (9999,9999,9999; the 亿 level). */
    static final int MAX_INTEGER_DIGITS = 12;

    static List<Reading> numbers(ZhInput in, int i) {
        String sign = "";
        int q = i;
        int c = in.at(i);
        if (c == '+' || c == '-' || c == '±') {
            sign = c == '+' ? "正" : c == '-' ? "负" : "正负";
            q = i + 1;
        }
        int run = in.digitRun[q];
        if (run == 0) return List.of();
        List<Reading> out = new ArrayList<>(4);
        String s = sign;
        int from = q;
        for (int len = 1; len <= Math.min(run, MAX_INTEGER_DIGITS); len++) {
            // integer(): only a leading 0 of a longer number has no reading
            if (len > 1 && in.digitAt(q) == 0) break;
            int l = len;
            Reading integer = new Reading(q + len, () -> s.isEmpty() ? liang(integer(in, from, l)) : s + integer(in, from, l));
            out.add(integer);
            // (dot + digits.plus).ques: only after the whole run; the decimal part is taken whole (see docs)
            if (len == run && in.at(q + len) == '.' && in.digitRun[q + len + 1] > 0) {
                int d = q + len + 1;
                out.add(new Reading(d + in.digitRun[d], () -> integer.text() + "点" + digits(in, d, in.digitRun[d], false)));
            }
        }
        return out;
    }

    /** Cardinal().number: {@code accep('约').ques + accep('人均').ques + (number | percent)}. */
    static List<Reading> prefixed(ZhInput in, int i) {
        String pre = "";
        int q = i;
        if (in.at(q) == '约') {
            pre = "约";
            q++;
        }
        if (in.startsWith(q, "人均")) {
            pre += "人均";
            q += 2;
        }
        List<Reading> numbers = in.numbers(q);
        if (numbers.isEmpty()) return List.of();
        List<Reading> out = new ArrayList<>(4);
        if (pre.isEmpty() && !percentAhead(in, numbers)) return numbers;
        String p = pre;
        for (Reading r : numbers) {
            out.add(p.isEmpty() ? r : new Reading(r.end(), () -> p + r.text()));
            if (in.at(r.end()) == '%') out.add(new Reading(r.end() + 1, () -> p + "百分之" + r.text()));
        }
        return out;
    }

    private static boolean percentAhead(ZhInput in, List<Reading> numbers) {
        for (Reading r : numbers) {
            if (in.at(r.end()) == '%') return true;
        }
        return false;
    }

    /** The cdrewrite of cardinal.py: 二百|二千|二万|二亿 → 两… at the beginning of the number. */
    static String liang(String s) {
        if (s.length() >= 2 && s.charAt(0) == '二') {
            char u = s.charAt(1);
            if (u == '百' || u == '千' || u == '万' || u == '亿') return "两" + s.substring(1);
        }
        return s;
    }

    /** Digit by digit ({@code digits.plus} with zero|digit), optionally with 一 → 幺 (phone numbers). */
    static String digits(ZhInput in, int from, int len, boolean phone) {
        StringBuilder sb = new StringBuilder(len);
        for (int k = from; k < from + len; k++) {
            int d = in.digitAt(k);
            sb.append(phone && d == 1 ? "幺" : DIGIT[d]);
        }
        return sb.toString();
    }

    /** Top-level integer reading of exactly {@code len} digits, or null when the grammar has none. */
    static String integer(ZhInput in, int off, int len) {
        if (len == 1) return DIGIT[in.digitAt(off)];
        if (in.digitAt(off) == 0) return null;
        if (len == 2) return ten(in, off);
        if (len == 3) return hundred(in, off);
        if (len == 4) return thousand(in, off);
        if (len <= 8) return head(in, off, len - 4) + "万" + fourAny(in, off + len - 4);
        if (len <= 12) {
            String h = head(in, off, len - 8);
            int t = off + len - 8;
            String hi = fourNonzero(in, t);
            if (hi != null) return h + "亿" + hi + "万" + fourAny(in, t + 4);
            int lo = t + 4;
            if (in.digitAt(lo) != 0) return h + "亿" + "零" + thousand(in, lo);
            return h + "亿" + fourAny(in, lo);
        }
        return null;
    }

    /** thousand | hundred | ten | digit over 1..4 digits, the first non-zero. */
    private static String head(ZhInput in, int off, int len) {
        return switch (len) {
            case 1 -> DIGIT[in.digitAt(off)];
            case 2 -> ten(in, off);
            case 3 -> hundred(in, off);
            default -> thousand(in, off);
        };
    }

    /** ten: 11 → 十一, 10 → 十, 21 → 二十一 (teen.tsv drops the 一 of 一十). */
    private static String ten(ZhInput in, int off) {
        int a = in.digitAt(off), b = in.digitAt(off + 1);
        return (a == 1 ? "" : DIGIT[a]) + "十" + (b == 0 ? "" : DIGIT[b]);
    }

    /** tens (inside larger numbers): 11 → 一十一. */
    private static String tens(ZhInput in, int off) {
        int b = in.digitAt(off + 1);
        return DIGIT[in.digitAt(off)] + "十" + (b == 0 ? "" : DIGIT[b]);
    }

    private static String hundred(ZhInput in, int off) {
        int b = in.digitAt(off + 1), c = in.digitAt(off + 2);
        String rest = b != 0 ? tens(in, off + 1) : c != 0 ? "零" + DIGIT[c] : "";
        return DIGIT[in.digitAt(off)] + "百" + rest;
    }

    private static String thousand(ZhInput in, int off) {
        int b = in.digitAt(off + 1), c = in.digitAt(off + 2), d = in.digitAt(off + 3);
        String rest = b != 0 ? hundred(in, off + 1)
                : c != 0 ? "零" + tens(in, off + 2)
                : d != 0 ? "零" + DIGIT[d] : "";
        return DIGIT[in.digitAt(off)] + "千" + rest;
    }

    /** Exactly four digits, not all zero: thousand | 零+hundred | 零+tens | 零+digit. */
    private static String fourNonzero(ZhInput in, int off) {
        if (in.digitAt(off) != 0) return thousand(in, off);
        if (in.digitAt(off + 1) != 0) return "零" + hundred(in, off + 1);
        if (in.digitAt(off + 2) != 0) return "零" + tens(in, off + 2);
        int d = in.digitAt(off + 3);
        return d != 0 ? "零" + DIGIT[d] : null;
    }

    private static String fourAny(ZhInput in, int off) {
        String s = fourNonzero(in, off);
        return s == null ? "" : s;
    }
}
