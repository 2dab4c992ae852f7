package dev.cosyvoice4j.text;

import java.util.HashMap;
import java.util.Map;

/**
 * Finds added tokens in raw text with HF's rule (aho-corasick {@code LeftmostLongest} over the non-normalised
 * added tokens): the match that starts first wins, and of those the longest. A trie over UTF-16 units; since
 * every token is a well-formed string, a match never starts or ends inside a surrogate pair.
 */
final class AddedTokenMatcher {
    record Match(int start, int end, int id) {}

    private static final class Node {
        final Map<Character, Node> children = new HashMap<>(4);
        int id = -1;
    }

    private final Node root = new Node();
    private final boolean[] firstChar = new boolean[65536];

    AddedTokenMatcher(Map<String, Integer> tokens) {
        for (Map.Entry<String, Integer> e : tokens.entrySet()) {
            String s = e.getKey();
            if (s.isEmpty()) continue;
            Node n = root;
            for (int i = 0; i < s.length(); i++) n = n.children.computeIfAbsent(s.charAt(i), c -> new Node());
            n.id = e.getValue();
            firstChar[s.charAt(0)] = true;
        }
    }

    /** The leftmost-longest match at or after {@code from}, or null. */
    Match next(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (!firstChar[s.charAt(i)]) continue;
            Node n = root;
            int bestEnd = -1, bestId = -1;
            for (int j = i; j < s.length(); j++) {
                n = n.children.get(s.charAt(j));
                if (n == null) break;
                if (n.id >= 0) { bestEnd = j + 1; bestId = n.id; }
            }
            if (bestEnd > 0) return new Match(i, bestEnd, bestId);
        }
        return null;
    }
}
