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
    private record Chain(Chain prev, String op, NumberReader.Reading number) {
        String text() {
            java.util.ArrayDeque<Chain> nodes = new java.util.ArrayDeque<>();
            for (Chain c = this; c != null; c = c.prev) nodes.push(c);
            StringBuilder sb = new StringBuilder();
            for (Chain c : nodes) {
                if (c.op != null) sb.append(c.op);
                sb.append(c.number.text());
            }
            return sb.toString();
        }
    }

    @Override
    public void match(ZhInput in, int start, Sink out) {
        ZhTables.UNAMBIGUOUS_OPERATORS.matches(in, start, (end, spoken) -> out.accept(end, 0, () -> value(spoken)));
        Chain chain = null;
        String op = null;
        int pos = start;
        for (int operands = 0; operands < MAX_OPERANDS; operands++) {
            List<NumberReader.Reading> readings = in.prefixedNumbers(pos);
            if (readings.isEmpty()) return;
            int nextPos = -1;
            Chain next = null;
            String nextOp = null;
            for (int k = readings.size() - 1; k >= 0; k--) {
                NumberReader.Reading r = readings.get(k);
                Chain c = new Chain(chain, op, r);
                out.accept(r.end(), 0, () -> value(c.text()));
                if (nextPos < 0) {
                    // the continuation: (' ')? operator (' ')? number
                    int q = in.skipSpace(r.end());
                    int[] best = {-1};
                    String[] spokenOp = {null};
                    ZhTables.OPERATORS.matches(in, q, (end, spoken) -> {
                        int n = in.skipSpace(end);
                        if (!in.prefixedNumbers(n).isEmpty()) {
                            best[0] = n;
                            spokenOp[0] = spoken;
                        }
                    });
                    if (best[0] >= 0) {
                        nextPos = best[0];
                        next = c;
                        nextOp = spokenOp[0];
                    }
                }
            }
            if (nextPos < 0) return;
            chain = next;
            op = nextOp;
            pos = nextPos;
        }
    }

    private static List<Token> value(String spoken) {
        return List.of(new Token("math", "value", spoken));
    }
}
