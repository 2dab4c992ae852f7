package dev.cosyvoice4j.text.normalize.zh;

import java.util.List;

/**
 * Port of tn/chinese/rules/math.py (039007e): {@code number ((' ')? operator (' ')? number)*} with
 * math/operator.tsv and the symbols ~ → 到, : → 比, < → 小于, > → 大于, or a lone unambiguous operator
 * (operator_unambiguous.tsv: × ÷ ≥ ≤ >= <=). Class weight 90: a bare positional number ({@code 12 → 十二}) is
 * read by this class when no cheaper class matches.
 *
 * <p>Every prefix of the chain that ends after a number is a candidate. The chain is followed through the number
 * reading that reaches the next operator; it is cut after {@link #MAX_OPERANDS} operands so that a pathological
 * "1+1+1+…" line stays linear (the lattice then starts a new token).
 */
final class MathGrammar implements ZhGrammar {
    static final int MAX_OPERANDS = 64;

    /** The spoken chain so far, shared between candidates (materialised only for the winning one). */
    private record Chain(Chain prev, String piece) {
        String text() {
            StringBuilder sb = new StringBuilder();
            java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
            for (Chain c = this; c != null; c = c.prev) parts.push(c.piece);
            parts.forEach(sb::append);
            return sb.toString();
        }
    }

    @Override
    public void match(ZhInput in, int start, Sink out) {
        ZhTables.UNAMBIGUOUS_OPERATORS.matches(in, start, (end, spoken) -> out.accept(end, 0, () -> value(spoken)));
        Chain chain = null;
        int pos = start;
        for (int operands = 0; operands < MAX_OPERANDS; operands++) {
            List<NumberReader.Reading> readings = in.prefixedNumbers(pos);
            if (readings.isEmpty()) return;
            int nextPos = -1;
            Chain next = null;
            for (int k = readings.size() - 1; k >= 0; k--) {
                NumberReader.Reading r = readings.get(k);
                Chain c = new Chain(chain, r.text());
                out.accept(r.end(), 0, () -> value(c.text()));
                if (nextPos < 0) {
                    // the continuation: (' ')? operator (' ')? number
                    int q = in.skipSpace(r.end());
                    int[] best = {-1};
                    String[] op = {null};
                    ZhTables.OPERATORS.matches(in, q, (end, spoken) -> {
                        int n = in.skipSpace(end);
                        if (!in.prefixedNumbers(n).isEmpty()) {
                            best[0] = n;
                            op[0] = spoken;
                        }
                    });
                    if (best[0] >= 0) {
                        nextPos = best[0];
                        next = new Chain(c, op[0]);
                    }
                }
            }
            if (nextPos < 0) return;
            chain = next;
            pos = nextPos;
        }
    }

    private static List<Token> value(String spoken) {
        return List.of(new Token("math", "value", spoken));
    }
}
