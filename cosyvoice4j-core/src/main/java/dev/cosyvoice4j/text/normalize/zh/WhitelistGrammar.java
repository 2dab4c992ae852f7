package dev.cosyvoice4j.text.normalize.zh;

import java.util.List;

/**
 * Port of tn/chinese/rules/whitelist.py: default/whitelist.tsv ({@code O2O → O to O}, {@code 90后 → 九零后}) and
 * erhua/whitelist.tsv (words whose 儿 is not an erhua suffix: 儿子, 婴儿…), plus a lone 儿 tagged {@code erhua}
 * at +0.1. The verbalizer deletes the erhua token only with {@code remove_erhua}; CosyVoice keeps it.
 */
final class WhitelistGrammar implements ZhGrammar {
    static final double ERHUA_WEIGHT = 0.1;

    @Override
    public void match(ZhInput in, int start, Sink out) {
        ZhTables.WHITELIST.matches(in, start,
                (end, spoken) -> out.accept(end, 0, () -> List.of(new Token("whitelist", "value", spoken))));
        if (in.at(start) == '儿') {
            out.accept(start + 1, ERHUA_WEIGHT, () -> List.of(new Token("whitelist", "erhua", "儿")));
        }
    }
}
