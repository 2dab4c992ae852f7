package dev.cosyvoice4j.text.normalize.en;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The TSV tables of WeTextProcessing's English grammar ({@code tn/english/data/**}, Apache-2.0, copied verbatim
 * under {@code resources/dev/cosyvoice4j/text/normalize/en/} as {@code <dir>_<file>.tsv}) and the character
 * classes of {@code tn/processor.py} ({@code byte.DIGIT}, {@code byte.ALPHA}, {@code SPACE}) and
 * {@code rules/punctuation.py}.
 */
final class EnData {
    private EnData() {}

    /** Rows of a table; a one-column row maps the key to itself (pynini {@code string_file}). */
    static List<String[]> rows(String name) {
        String path = name + ".tsv";
        try (InputStream in = EnData.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("missing resource " + path);
            List<String[]> out = new ArrayList<>();
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isEmpty()) continue;
                String[] f = line.split("\t", -1);
                out.add(f.length == 1 ? new String[] {f[0], f[0]} : new String[] {f[0], f[1]});
            }
            return Collections.unmodifiableList(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Key to value; the first row of a key wins (the FST union has tied paths; we pick the first listed). */
    static Map<String, String> map(String name) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String[] r : rows(name)) m.putIfAbsent(r[0], r[1]);
        return m;
    }

    static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    static boolean alpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    static boolean upper(char c) {
        return c >= 'A' && c <= 'Z';
    }

    /** {@code byte.SPACE | "\u00A0"} (processor.py): the separators between tokens. */
    static boolean space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0B || c == '\f' || c == 0xA0;
    }

    static boolean digit(String s, int i) {
        return i >= 0 && i < s.length() && digit(s.charAt(i));
    }

    static boolean at(String s, int i, char c) {
        return i >= 0 && i < s.length() && s.charAt(i) == c;
    }

    /**
     * {@code Punctuation.punct_marks} (rules/punctuation.py): Unicode P* and the ASCII marks
     * {@code !'(),-.:;<>?`{}}, without the whitelist symbols ({@code & # @ § _ % * /}) and {@code [ ]}, plus
     * {@code "} and {@code \}. A token may end at such a character.
     */
    static boolean punct(char c) {
        switch (c) {
            case '[': case ']': case '&': case '#': case '@': case '\u00A7': case '_': case '%': case '*': case '/':
                return false;
            case '<': case '>': case '`': case '"': case '\\':
                return true;
            default:
        }
        return switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** Where a token may end: end of text, a separator or a punctuation mark. */
    static boolean boundary(String s, int i) {
        return i >= s.length() || space(s.charAt(i)) || punct(s.charAt(i));
    }

    /** Index after a run of ASCII digits starting at {@code i} (== i when none). */
    static int digitsEnd(String s, int i) {
        while (i < s.length() && digit(s.charAt(i))) i++;
        return i;
    }

    /** Index after a run of separators starting at {@code i}. */
    static int spacesEnd(String s, int i) {
        while (i < s.length() && space(s.charAt(i))) i++;
        return i;
    }

    /** Longest key of {@code table} found at {@code s[i..]}, or null. */
    static String longestKey(Map<String, String> table, int maxLen, String s, int i) {
        for (int len = Math.min(maxLen, s.length() - i); len > 0; len--) {
            String k = s.substring(i, i + len);
            if (table.containsKey(k)) return k;
        }
        return null;
    }

    static int maxKeyLength(Map<String, String> table) {
        int m = 0;
        for (String k : table.keySet()) m = Math.max(m, k.length());
        return m;
    }
}
