package dev.cosyvoice4j.text.normalize.zh;

import java.util.List;

/** Port of tn/chinese/rules/fraction.py: {@code number ' '? / ' '? number} → denominator 分之 numerator. */
final class FractionGrammar implements ZhGrammar {
    @Override
    public void match(ZhInput in, int start, Sink out) {
        for (NumberReader.Reading num : in.prefixedNumbers(start)) {
            int q = in.skipSpace(num.end());
            if (in.at(q) != '/') continue;
            q = in.skipSpace(q + 1);
            for (NumberReader.Reading den : in.prefixedNumbers(q)) {
                out.accept(den.end(), 0, () -> List.of(
                        new Token("fraction", "numerator", num.text(), "denominator", den.text())));
            }
        }
    }
}
