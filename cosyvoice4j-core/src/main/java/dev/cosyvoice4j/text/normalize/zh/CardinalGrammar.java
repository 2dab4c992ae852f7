package dev.cosyvoice4j.text.normalize.zh;

import java.util.List;

/**
 * Port of the {@code cardinal} class tagger of tn/chinese/rules/cardinal.py (039007e): strings read digit by
 * digit — IP/ID {@code 127.0.0.1}, {@code xxxx-xxx-xxx}, {@code xxx-xxxxxxxx} — percentages, and phone numbers at
 * weight −1 with 一 → 幺: the well-known service numbers of cardinal/phone.tsv, any 11 digits (mobile) and
 * {@code 尾号(是|为)?dddd}. 039007e replaced 1.0.3's "every 3- or 5-digit string is a phone number" by phone.tsv;
 * we follow 039007e (see docs/text-normalisation.md). A bare positional number is not a cardinal: it is math.
 */
final class CardinalGrammar implements ZhGrammar {
    static final double PHONE_WEIGHT = -1.0;

    @Override
    public void match(ZhInput in, int start, Sink out) {
        int run = in.digitRun[start];
        if (run > 0) {
            ipAddress(in, start, out);
            dashed(in, start, out);
            if (run == 3 && in.at(start + 3) == '-' && in.digitRun[start + 4] >= 8) {
                int end = start + 12;
                out.accept(end, 0, () -> value(NumberReader.digits(in, start, 3, false)
                        + NumberReader.digits(in, start + 4, 8, false)));
            }
            ZhTables.PHONE.matches(in, start, (end, spoken) -> out.accept(end, PHONE_WEIGHT, () -> value(spoken)));
            if (run >= 11) out.accept(start + 11, PHONE_WEIGHT, () -> value(NumberReader.digits(in, start, 11, true)));
        }
        // percent: insert('百分之') + number + delete('%') (no 约/人均 prefix here)
        for (NumberReader.Reading r : in.numbers(start)) {
            if (in.at(r.end()) == '%') out.accept(r.end() + 1, 0, () -> value("百分之" + r.text()));
        }
        // accep("尾号") + (accep("是") | accep("为")).ques + phone_digits**4
        if (in.startsWith(start, "尾号")) {
            int q = start + 2;
            String pre = "尾号";
            if (in.at(q) == '是' || in.at(q) == '为') {
                pre += Character.toString(in.at(q));
                q++;
            }
            if (in.digitRun[q] >= 4) {
                String p = pre;
                int d = q;
                out.accept(q + 4, PHONE_WEIGHT, () -> value(p + NumberReader.digits(in, d, 4, true)));
            }
        }
    }

    /** digits.plus + (dot + digits.plus)**3: the last group is taken whole (see the design notes). */
    private static void ipAddress(ZhInput in, int start, Sink out) {
        int[] from = new int[4];
        int[] len = new int[4];
        int q = start;
        for (int g = 0; g < 4; g++) {
            if (g > 0) {
                if (in.at(q) != '.') return;
                q++;
            }
            if (in.digitRun[q] == 0) return;
            from[g] = q;
            len[g] = in.digitRun[q];
            q += len[g];
        }
        out.accept(q, 0, () -> {
            StringBuilder sb = new StringBuilder();
            for (int g = 0; g < 4; g++) {
                if (g > 0) sb.append('点');
                sb.append(NumberReader.digits(in, from[g], len[g], false));
            }
            return value(sb.toString());
        });
    }

    /** digits.plus + (delete('-') + digits.plus)**2. */
    private static void dashed(ZhInput in, int start, Sink out) {
        int a = in.digitRun[start];
        int q = start + a;
        if (in.at(q) != '-' || in.digitRun[q + 1] == 0) return;
        int b = in.digitRun[q + 1];
        int r = q + 1 + b;
        if (in.at(r) != '-' || in.digitRun[r + 1] == 0) return;
        int c = in.digitRun[r + 1];
        out.accept(r + 1 + c, 0, () -> value(NumberReader.digits(in, start, a, false)
                + NumberReader.digits(in, q + 1, b, false) + NumberReader.digits(in, r + 1, c, false)));
    }

    private static List<Token> value(String spoken) {
        return List.of(new Token("cardinal", "value", spoken));
    }
}
