package dev.cosyvoice4j.text.normalize.zh;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * The data tables of WeTextProcessing's Chinese grammar ({@code tn/chinese/data/**}.tsv, Apache-2.0, copied
 * verbatim under resources/dev/cosyvoice4j/text/normalize/zh). A line is {@code written<TAB>spoken}, or a single
 * column that maps to itself (pynini {@code string_file}). Loaded once per JVM.
 */
final class ZhTables {
    private ZhTables() {}

    // number/*, used digit by digit by NumberReader; kept as tries for the other grammars' lookups
    static final Trie SIGN = load("number/sign.tsv");
    static final Trie DATE_M = load("date/m.tsv");
    static final Trie DATE_MM = load("date/mm.tsv");
    static final Trie DATE_D = load("date/d.tsv");
    static final Trie DATE_DD = load("date/dd.tsv");
    static final Trie HOUR = load("time/hour.tsv");
    static final Trie MINUTE = load("time/minute.tsv");
    static final Trie SECOND = load("time/second.tsv");
    static final Trie NOON = load("time/noon.tsv");
    static final Trie CURRENCY = load("money/code.tsv", "money/symbol.tsv");
    static final Trie UNITS = load("measure/units_en.tsv", "measure/units_zh.tsv");
    static final Trie TEAMS = load("sport/country.tsv", "sport/club.tsv");
    static final Trie WHITELIST = load("default/whitelist.tsv", "erhua/whitelist.tsv");
    static final Trie PHONE = load("cardinal/phone.tsv");
    /** operator.tsv plus the math rule's own symbols ~ : < > (math.py). */
    static final Trie OPERATORS = withSymbols(load("math/operator.tsv"));
    static final Trie UNAMBIGUOUS_OPERATORS = load("math/operator_unambiguous.tsv");

    private static Trie withSymbols(Trie t) {
        t.put("~", "到");
        t.put(":", "比");
        t.put("<", "小于");
        t.put(">", "大于");
        return t;
    }

    static Trie load(String... names) {
        Trie t = new Trie();
        for (String name : names) {
            for (String line : lines(name)) {
                int tab = line.indexOf('\t');
                if (tab < 0) t.put(line, line);
                else t.put(line.substring(0, tab), line.substring(tab + 1));
            }
        }
        return t;
    }

    /** The first column of each line, as code points (charsets). */
    static Set<Integer> codePoints(String... names) {
        Set<Integer> s = new HashSet<>();
        for (String name : names) {
            for (String line : lines(name)) line.codePoints().limit(1).forEach(s::add);
        }
        return s;
    }

    static java.util.List<String> lines(String name) {
        try (InputStream is = ZhTables.class.getResourceAsStream(name)) {
            if (is == null) throw new IllegalStateException("missing resource " + name);
            java.util.List<String> out = new java.util.ArrayList<>();
            BufferedReader r = new BufferedReader(new InputStreamReader(is, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.isEmpty()) out.add(line);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
