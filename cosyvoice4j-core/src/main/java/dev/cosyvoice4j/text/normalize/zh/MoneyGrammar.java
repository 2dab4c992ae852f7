package dev.cosyvoice4j.text.normalize.zh;

import java.util.List;

/**
 * Port of tn/chinese/rules/money.py: a currency code or symbol (money/code.tsv, symbol.tsv), an optional space,
 * then a number; verbalized value first ({@code ￥13.5 → 十三点五元}).
 */
final class MoneyGrammar implements ZhGrammar {
    @Override
    public void match(ZhInput in, int start, Sink out) {
        ZhTables.CURRENCY.matches(in, start, (end, currency) -> {
            for (NumberReader.Reading r : in.prefixedNumbers(in.skipSpace(end))) {
                out.accept(r.end(), 0, () -> List.of(new Token("money", "currency", currency, "value", r.text())));
            }
        });
    }
}
