package dev.cosyvoice4j.text.normalize.zh;

import java.util.HashMap;
import java.util.Map;

/**
 * A code-point trie over the keys of a WeTextProcessing {@code string_file} (tsv): finds every key that starts at
 * a position, in O(longest key). It stands in for the union of string pairs pynini builds from the file.
 */
final class Trie {
    /** Receives one key match: the position after the key and its spoken form. */
    @FunctionalInterface
    interface Hit {
        void accept(int end, String value);
    }

    private final Map<Integer, Trie> next = new HashMap<>();
    private String value;

    void put(String key, String spoken) {
        Trie t = this;
        for (int i = 0; i < key.length(); ) {
            int c = key.codePointAt(i);
            i += Character.charCount(c);
            t = t.next.computeIfAbsent(c, k -> new Trie());
        }
        if (t.value == null) t.value = spoken; // pynini keeps both; the first line wins here (no duplicates differ)
    }

    /** Calls {@code hit} for every key that is a prefix of {@code in} at {@code pos}, shortest first. */
    void matches(ZhInput in, int pos, Hit hit) {
        Trie t = this;
        for (int i = pos; i < in.n; i++) {
            t = t.next.get(in.cp[i]);
            if (t == null) return;
            if (t.value != null) hit.accept(i + 1, t.value);
        }
    }

    /** The spoken form of the key made of the {@code len} code points at {@code from}, or null. */
    String get(ZhInput in, int from, int len) {
        if (from + len > in.n) return null;
        Trie t = this;
        for (int i = from; i < from + len && t != null; i++) t = t.next.get(in.cp[i]);
        return t == null ? null : t.value;
    }

    /** The spoken form of the whole {@code key}, or null. */
    String get(String key) {
        Trie t = this;
        for (int i = 0; i < key.length() && t != null; ) {
            int c = key.codePointAt(i);
            i += Character.charCount(c);
            t = t.next.get(c);
        }
        return t == null ? null : t.value;
    }
}
