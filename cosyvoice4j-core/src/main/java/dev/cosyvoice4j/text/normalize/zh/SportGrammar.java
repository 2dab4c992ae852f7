package dev.cosyvoice4j.text.normalize.zh;

import java.util.List;

/**
 * Port of tn/chinese/rules/sport.py: a team (sport/country.tsv, club.tsv) followed by a score
 * {@code ' '? number (/|-|:) number ' '?} read with 比 ({@code 中国1-2 → 中国一比二}).
 */
final class SportGrammar implements ZhGrammar {
    @Override
    public void match(ZhInput in, int start, Sink out) {
        ZhTables.TEAMS.matches(in, start, (teamEnd, team) -> {
            for (NumberReader.Reading a : in.prefixedNumbers(in.skipSpace(teamEnd))) {
                int sep = in.at(a.end());
                if (sep != '/' && sep != '-' && sep != ':') continue;
                for (NumberReader.Reading b : in.prefixedNumbers(a.end() + 1)) {
                    String score = a.text() + "比" + b.text();
                    List<Token> tokens = List.of(new Token("sport", "team", team, "score", score));
                    out.accept(b.end(), 0, () -> tokens);
                    if (in.at(b.end()) == ' ') out.accept(b.end() + 1, 0, () -> tokens);
                }
            }
        });
    }
}
