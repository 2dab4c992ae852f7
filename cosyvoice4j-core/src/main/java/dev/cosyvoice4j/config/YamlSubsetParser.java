package dev.cosyvoice4j.config;

import dev.cosyvoice4j.config.CosyVoiceYaml.ListNode;
import dev.cosyvoice4j.config.CosyVoiceYaml.MapNode;
import dev.cosyvoice4j.config.CosyVoiceYaml.Node;
import dev.cosyvoice4j.config.CosyVoiceYaml.Scalar;
import dev.cosyvoice4j.io.ModelFormatException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parser for the YAML subset of HyperPyYAML model configs: indentation-based block mappings and {@code - item}
 * lists, flow lists {@code [a, [b, c]]} and mappings {@code {k: v}} (possibly spanning lines), plain and quoted
 * scalars, {@code #} comments, and a leading tag ({@code !new:...}, {@code !name:...}, {@code !apply:...},
 * {@code !ref}) on any value. Anchors, aliases, multi-documents and block scalars are rejected with an error.
 */
final class YamlSubsetParser {
    private record Line(int number, int indent, String text) {}

    /** Deepest nesting of blocks or flow collections accepted (the official configs nest 5 deep). */
    static final int MAX_DEPTH = 64;
    /**
     * HyperPyYAML's tags (read as data, never executed). Anything else, in particular YAML's language tags such as
     * {@code !!python/object/apply:os.system}, is refused: a model config has no use for them.
     */
    private static final java.util.regex.Pattern TAG = java.util.regex.Pattern.compile(
            "!(new:|name:|apply:|applyref:|module:|include:)[A-Za-z_][\\w.]*|!(ref|copy|tuple|placeholder)");

    private final String source;
    private final List<Line> lines = new ArrayList<>();
    private int at;
    private int blockDepth;

    YamlSubsetParser(String source, String text) {
        this.source = source;
        String[] raw = text.replace("\r\n", "\n").split("\n", -1);
        for (int i = 0; i < raw.length; i++) {
            String s = stripComment(raw[i]);
            if (s.isBlank()) continue;
            if (s.indexOf('\t') >= 0 && s.substring(0, s.length() - s.stripLeading().length()).indexOf('\t') >= 0) {
                throw error(i + 1, "tab used for indentation");
            }
            int indent = s.length() - s.stripLeading().length();
            StringBuilder joined = new StringBuilder(s.strip());
            // a flow collection may span several lines: join until brackets balance (counted line by line, so a
            // hostile file of unclosed brackets costs linear time)
            int first = i;
            int open = depth(joined);
            while (open > 0 && i + 1 < raw.length) {
                if (open > MAX_DEPTH) throw error(first + 1, "flow collections nested deeper than " + MAX_DEPTH);
                String next = stripComment(raw[++i]).strip();
                joined.append(' ').append(next);
                open += depth(next);
            }
            if (open != 0) throw error(first + 1, "unbalanced brackets");
            String body = joined.toString();
            if (body.equals("---") || body.startsWith("%")) throw error(first + 1, "multiple documents/directives are not supported");
            lines.add(new Line(first + 1, indent, body));
        }
    }

    MapNode parseDocument() {
        if (lines.isEmpty()) return new MapNode(null, new LinkedHashMap<>());
        Node n = block(lines.getFirst().indent());
        if (at < lines.size()) throw error(lines.get(at).number(), "unexpected indentation");
        if (!(n instanceof MapNode m)) throw error(1, "the document is not a mapping");
        return m;
    }

    /** A block mapping or list whose lines are indented exactly {@code indent}. */
    private Node block(int indent) {
        if (++blockDepth > MAX_DEPTH) throw error(lines.get(at).number(), "blocks nested deeper than " + MAX_DEPTH);
        try {
            return blockAt(indent);
        } finally {
            blockDepth--;
        }
    }

    private Node blockAt(int indent) {
        Line first = lines.get(at);
        if (first.text().startsWith("- ") || first.text().equals("-")) return blockList(indent);
        Map<String, Node> map = new LinkedHashMap<>();
        while (at < lines.size() && lines.get(at).indent() == indent) {
            Line line = lines.get(at++);
            int colon = keyColon(line.text());
            if (colon < 0) throw error(line.number(), "expected 'key: value', got '" + line.text() + "'");
            String key = unquote(line.text().substring(0, colon).strip());
            String rest = line.text().substring(colon + 1).strip();
            if (map.containsKey(key)) throw error(line.number(), "duplicate key '" + key + "'");
            map.put(key, value(line, rest, indent));
        }
        if (at < lines.size() && lines.get(at).indent() > indent) throw error(lines.get(at).number(), "unexpected indentation");
        return new MapNode(null, map);
    }

    private Node blockList(int indent) {
        List<Node> items = new ArrayList<>();
        while (at < lines.size() && lines.get(at).indent() == indent
                && (lines.get(at).text().startsWith("- ") || lines.get(at).text().equals("-"))) {
            Line line = lines.get(at++);
            String rest = line.text().substring(1).strip();
            if (keyColon(rest) >= 0 && !rest.startsWith("!") && !rest.startsWith("[") && !rest.startsWith("{")) {
                throw error(line.number(), "mappings inside block lists are not supported");
            }
            items.add(value(line, rest, indent));
        }
        return new ListNode(null, items);
    }

    /** The value after "key:" or "-": inline, or a nested block on the following more-indented lines. */
    private Node value(Line line, String rest, int indent) {
        String tag = null;
        if (rest.startsWith("!")) {
            int sp = rest.indexOf(' ');
            tag = checkTag(line.number(), sp < 0 ? rest : rest.substring(0, sp));
            rest = sp < 0 ? "" : rest.substring(sp + 1).strip();
        }
        if (rest.startsWith("&") || rest.startsWith("*")) throw error(line.number(), "YAML anchors/aliases are not supported");
        if (rest.startsWith("|") || rest.startsWith(">")) throw error(line.number(), "block scalars are not supported");
        boolean nested = at < lines.size() && lines.get(at).indent() > indent;
        if (rest.isEmpty()) {
            if (nested) {
                Node child = block(lines.get(at).indent());
                return child instanceof MapNode m ? new MapNode(tag, m.entries()) : new ListNode(tag, ((ListNode) child).items());
            }
            return tag != null && tag.startsWith("!new:") ? new MapNode(tag, new LinkedHashMap<>()) : new Scalar(tag, "", false);
        }
        if (nested) throw error(lines.get(at).number(), "unexpected indentation after an inline value");
        Flow f = new Flow(line.number(), rest);
        Node n = f.value();
        f.skip();
        if (f.p != rest.length()) throw error(line.number(), "unexpected text '" + rest.substring(f.p) + "'");
        return withTag(n, tag, line.number());
    }

    private String checkTag(int lineNo, String tag) {
        if (!TAG.matcher(tag).matches()) {
            throw error(lineNo, "refusing the YAML tag '" + tag + "': only HyperPyYAML's !new:, !name:, !apply:, !ref "
                    + "(and !applyref:, !module:, !include:, !copy, !tuple, !placeholder) are read, as data");
        }
        return tag;
    }

    private Node withTag(Node n, String tag, int lineNo) {
        if (tag == null) return n;
        if (n.tag() != null) throw error(lineNo, "two tags on one value");
        return switch (n) {
            case MapNode m -> new MapNode(tag, m.entries());
            case ListNode l -> new ListNode(tag, l.items());
            case Scalar s -> new Scalar(tag, s.text(), s.quoted());
        };
    }

    /** Flow-style values on one (joined) line. */
    private final class Flow {
        final int lineNo;
        final String s;
        int p;
        int nesting; // open flow collections around the current position

        Flow(int lineNo, String s) { this.lineNo = lineNo; this.s = s; }

        Node value() {
            skip();
            String tag = null;
            if (p < s.length() && s.charAt(p) == '!') {
                int start = p;
                while (p < s.length() && s.charAt(p) != ' ' && s.charAt(p) != ',' && s.charAt(p) != ']') p++;
                tag = checkTag(lineNo, s.substring(start, p));
                skip();
            }
            if (p >= s.length()) return withTag(new Scalar(null, "", false), tag, lineNo);
            char c = s.charAt(p);
            Node n;
            if ((c == '[' || c == '{') && nesting >= MAX_DEPTH) {
                throw error(lineNo, "flow collections nested deeper than " + MAX_DEPTH);
            }
            if (c == '[') {
                p++;
                nesting++;
                List<Node> items = new ArrayList<>();
                while (true) {
                    skip();
                    if (peek() == ']') { p++; break; }
                    items.add(value());
                    skip();
                    if (peek() == ',') p++;
                    else if (peek() == ']') { p++; break; }
                    else throw error(lineNo, "expected ',' or ']' in flow list");
                }
                nesting--;
                n = new ListNode(null, items);
            } else if (c == '{') {
                p++;
                nesting++;
                Map<String, Node> map = new LinkedHashMap<>();
                while (true) {
                    skip();
                    if (peek() == '}') { p++; break; }
                    int colon = s.indexOf(':', p);
                    if (colon < 0) throw error(lineNo, "expected 'key: value' in flow mapping");
                    String key = unquote(s.substring(p, colon).strip());
                    p = colon + 1;
                    map.put(key, value());
                    skip();
                    if (peek() == ',') p++;
                    else if (peek() == '}') { p++; break; }
                    else throw error(lineNo, "expected ',' or '}' in flow mapping");
                }
                nesting--;
                n = new MapNode(null, map);
            } else if (c == '\'' || c == '"') {
                n = quoted(c);
            } else {
                int start = p;
                // inside a flow collection a plain scalar ends at ',', ']' or '}'; at top level it is the rest
                while (p < s.length() && !(nesting > 0 && ",]}".indexOf(s.charAt(p)) >= 0)) p++;
                n = new Scalar(null, s.substring(start, p).strip(), false);
            }
            return withTag(n, tag, lineNo);
        }

        private Scalar quoted(char q) {
            StringBuilder b = new StringBuilder();
            p++;
            while (true) {
                if (p >= s.length()) throw error(lineNo, "unterminated quoted string");
                char c = s.charAt(p++);
                if (c == q) {
                    if (q == '\'' && p < s.length() && s.charAt(p) == '\'') { b.append('\''); p++; continue; }
                    return new Scalar(null, b.toString(), true);
                }
                if (q == '"' && c == '\\' && p < s.length()) {
                    char e = s.charAt(p++);
                    b.append(switch (e) { case 'n' -> '\n'; case 't' -> '\t'; default -> e; });
                } else {
                    b.append(c);
                }
            }
        }

        char peek() { return p < s.length() ? s.charAt(p) : '\0'; }

        void skip() { while (p < s.length() && s.charAt(p) == ' ') p++; }
    }

    /** Index of the ':' ending a mapping key (followed by space or end of line), outside quotes/brackets. */
    private static int keyColon(String s) {
        if (s.startsWith("!") || s.startsWith("[") || s.startsWith("{")) return -1;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) { if (c == quote) quote = 0; continue; }
            if (i == 0 && (c == '\'' || c == '"')) { quote = c; continue; }
            if (c == ':' && (i + 1 == s.length() || s.charAt(i + 1) == ' ')) return i;
            if (c == ' ' && i + 1 < s.length() && s.charAt(i + 1) == '#') return -1;
        }
        return -1;
    }

    private static String unquote(String k) {
        if (k.length() >= 2 && (k.charAt(0) == '\'' || k.charAt(0) == '"') && k.charAt(k.length() - 1) == k.charAt(0)) {
            return k.substring(1, k.length() - 1);
        }
        return k;
    }

    /** Removes a '#' comment (one at line start or after whitespace, outside quotes). */
    private static String stripComment(String s) {
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) { if (c == quote) quote = 0; continue; }
            if (c == '\'' || c == '"') {
                if (i == 0 || " [{,:".indexOf(s.charAt(i - 1)) >= 0) quote = c;
            } else if (c == '#' && (i == 0 || Character.isWhitespace(s.charAt(i - 1)))) {
                return s.substring(0, i);
            }
        }
        return s;
    }

    /** Open minus closed brackets outside quotes. */
    private static int depth(CharSequence s) {
        int d = 0;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) { if (c == quote) quote = 0; continue; }
            if ((c == '\'' || c == '"') && (i == 0 || " [{,:".indexOf(s.charAt(i - 1)) >= 0)) quote = c;
            else if (c == '[' || c == '{') d++;
            else if (c == ']' || c == '}') d--;
        }
        return d;
    }

    private ModelFormatException error(int line, String problem) {
        return new ModelFormatException(source + ":" + line + ": " + problem);
    }
}
