package dev.cosyvoice4j.config;

import dev.cosyvoice4j.io.ModelFormatException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A narrow, data-only reader of the HyperPyYAML file {@code cosyvoice3.yaml}. It parses the YAML subset that
 * file uses (block mappings, block and flow lists, plain and quoted scalars, comments) and keeps the HyperPyYAML
 * tags ({@code !new:}, {@code !name:}, {@code !apply:}, {@code !ref}) as data: nothing is instantiated or
 * executed. {@code !ref <a>} and simple arithmetic such as {@code !ref <chunk_size> * <token_mel_ratio>} are
 * evaluated when a number is asked for. Keys are addressed by dotted paths, e.g. {@code flow.decoder.estimator.dim}.
 *
 * <p>Scalars are typed on demand: {@code getDouble} accepts {@code 1e-06} (which PyYAML itself would keep as a
 * string; the official inference code never reads those values as numbers).
 */
public final class CosyVoiceYaml {
    /** A parsed node: a mapping, a list or a scalar, each with an optional HyperPyYAML tag. */
    sealed interface Node permits MapNode, ListNode, Scalar {
        String tag();
    }

    record MapNode(String tag, Map<String, Node> entries) implements Node {}

    record ListNode(String tag, List<Node> items) implements Node {}

    record Scalar(String tag, String text, boolean quoted) implements Node {}

    private final String source;
    private final MapNode root;

    /** The official configs are under 10 kB; a megabyte is no model config. */
    static final long MAX_FILE_BYTES = 1 << 20;

    private CosyVoiceYaml(String source, MapNode root) {
        this.source = source;
        this.root = root;
    }

    /** Reads and parses {@code file}; errors name the file. */
    public static CosyVoiceYaml read(Path file) {
        String text;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new ModelFormatException(file, size + " bytes is too large for a model config (limit " + MAX_FILE_BYTES + ")");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ModelFormatException(file, "is not UTF-8 text", e);
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read: " + e, e);
        }
        return parse(text, file.toString());
    }

    /** Parses YAML text; {@code sourceName} prefixes every error message. */
    public static CosyVoiceYaml parse(String text, String sourceName) {
        return new CosyVoiceYaml(sourceName, new YamlSubsetParser(sourceName, text).parseDocument());
    }

    // ---- queries -----------------------------------------------------------------------------------------

    /** True if the dotted {@code path} exists. */
    public boolean has(String path) { return find(path) != null; }

    /** The HyperPyYAML tag of the node at {@code path} (e.g. {@code !new:cosyvoice.flow.DiT.dit.DiT}), or null. */
    public String tag(String path) { return node(path).tag(); }

    /** The keys of the mapping at {@code path} ("" for the top level), in file order. */
    public List<String> keys(String path) {
        Node n = path.isEmpty() ? root : resolve(path, node(path), new HashSet<>());
        if (!(n instanceof MapNode m)) throw error(path, "is not a mapping");
        return List.copyOf(m.entries().keySet());
    }

    public int getInt(String path) {
        double v = number(path);
        if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) throw error(path, "is not an integer: " + v);
        return (int) v;
    }

    public double getDouble(String path) { return number(path); }

    public boolean getBoolean(String path) {
        String s = scalar(path).text();
        return switch (s) {
            case "True", "true", "TRUE", "yes", "Yes", "on", "On" -> true;
            case "False", "false", "FALSE", "no", "No", "off", "Off" -> false;
            default -> throw error(path, "is not a boolean: '" + s + "'");
        };
    }

    /** The string value at {@code path} (quotes removed; a {@code !ref} is followed). */
    public String getString(String path) { return scalar(path).text(); }

    public List<Integer> getIntList(String path) {
        Node n = resolve(path, node(path), new HashSet<>());
        if (!(n instanceof ListNode l)) throw error(path, "is not a list");
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < l.items().size(); i++) out.add(toInt(path + "[" + i + "]", l.items().get(i)));
        return Collections.unmodifiableList(out);
    }

    public List<List<Integer>> getIntListList(String path) {
        Node n = resolve(path, node(path), new HashSet<>());
        if (!(n instanceof ListNode l)) throw error(path, "is not a list");
        List<List<Integer>> out = new ArrayList<>();
        for (int i = 0; i < l.items().size(); i++) {
            String p = path + "[" + i + "]";
            if (!(resolve(p, l.items().get(i), new HashSet<>()) instanceof ListNode inner)) throw error(p, "is not a list");
            List<Integer> row = new ArrayList<>();
            for (int j = 0; j < inner.items().size(); j++) row.add(toInt(p + "[" + j + "]", inner.items().get(j)));
            out.add(Collections.unmodifiableList(row));
        }
        return Collections.unmodifiableList(out);
    }

    // ---- resolution --------------------------------------------------------------------------------------

    private Node find(String path) {
        Node n = root;
        for (String part : path.split("\\.")) {
            n = resolve(path, n, new HashSet<>());
            if (!(n instanceof MapNode m)) return null;
            n = m.entries().get(part);
            if (n == null) return null;
        }
        return n;
    }

    private Node node(String path) {
        Node n = find(path);
        if (n == null) throw new ModelFormatException(source + ": missing key " + path);
        return n;
    }

    /** Follows a {@code !ref <key>} that names exactly one other node. */
    private Node resolve(String path, Node n, Set<String> seen) {
        while (n instanceof Scalar s && "!ref".equals(s.tag()) && s.text().matches("<[^<>]+>")) {
            String target = s.text().substring(1, s.text().length() - 1).trim();
            if (!seen.add(target)) throw error(path, "has a circular !ref to <" + target + ">");
            Node t = find(target);
            if (t == null) throw error(path, "refers to missing key <" + target + ">");
            n = t;
        }
        return n;
    }

    private Scalar scalar(String path) {
        Node n = resolve(path, node(path), new HashSet<>());
        if (n instanceof Scalar s && !"!ref".equals(s.tag())) return s;
        if (n instanceof Scalar) return new Scalar(null, formatNumber(number(path)), false);
        throw error(path, "is not a scalar");
    }

    private double number(String path) { return toNumber(path, node(path), new HashSet<>()); }

    private int toInt(String path, Node n) {
        double v = toNumber(path, n, new HashSet<>());
        if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) throw error(path, "is not an integer: " + v);
        return (int) v;
    }

    private double toNumber(String path, Node n, Set<String> seen) {
        if (!(n instanceof Scalar s)) throw error(path, "is not a number");
        if ("!ref".equals(s.tag())) {
            // substitute every <key> by its value, then evaluate + - * / // ( ) on numbers
            StringBuilder expr = new StringBuilder();
            String t = s.text();
            int i = 0;
            while (i < t.length()) {
                int open = t.indexOf('<', i);
                if (open < 0) { expr.append(t, i, t.length()); break; }
                int close = t.indexOf('>', open);
                if (close < 0) throw error(path, "has an unterminated reference in '" + t + "'");
                expr.append(t, i, open);
                String key = t.substring(open + 1, close).trim();
                if (!seen.add(key)) throw error(path, "has a circular !ref to <" + key + ">");
                Node target = find(key);
                if (target == null) throw error(path, "refers to missing key <" + key + ">");
                expr.append('(').append(formatNumber(toNumber(key, target, seen))).append(')');
                seen.remove(key);
                i = close + 1;
            }
            return new Arithmetic(expr.toString(), m -> error(path, m)).evaluate();
        }
        if (s.tag() != null) throw error(path, "is tagged " + s.tag() + ", not a number");
        try {
            return Double.parseDouble(s.text().replace("_", ""));
        } catch (NumberFormatException e) {
            throw error(path, "is not a number: '" + s.text() + "'");
        }
    }

    private static String formatNumber(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private ModelFormatException error(String path, String problem) {
        return new ModelFormatException(source + ": " + path + " " + problem);
    }

    /** Evaluates + - * / // and parentheses over decimal numbers (the arithmetic HyperPyYAML allows in !ref). */
    private static final class Arithmetic {
        private final String s;
        private final java.util.function.Function<String, ModelFormatException> err;
        private int p;

        Arithmetic(String s, java.util.function.Function<String, ModelFormatException> err) { this.s = s; this.err = err; }

        double evaluate() {
            double v = sum();
            skip();
            if (p != s.length()) throw err.apply("has an unsupported !ref expression '" + s + "'");
            return v;
        }

        private double sum() {
            double v = product();
            while (true) {
                skip();
                if (eat("+")) v += product();
                else if (eat("-")) v -= product();
                else return v;
            }
        }

        private double product() {
            double v = unary();
            while (true) {
                skip();
                if (eat("//")) v = Math.floor(v / unary());
                else if (eat("*")) v *= unary();
                else if (eat("/")) v /= unary();
                else return v;
            }
        }

        private double unary() {
            skip();
            if (eat("-")) return -unary();
            if (eat("(")) {
                double v = sum();
                skip();
                if (!eat(")")) throw err.apply("has unbalanced parentheses in '" + s + "'");
                return v;
            }
            int start = p;
            while (p < s.length() && "0123456789.eE+-".indexOf(s.charAt(p)) >= 0
                    && !((s.charAt(p) == '+' || s.charAt(p) == '-') && p > start && "eE".indexOf(s.charAt(p - 1)) < 0)) p++;
            try {
                return Double.parseDouble(s.substring(start, p));
            } catch (NumberFormatException e) {
                throw err.apply("has an unsupported !ref expression '" + s + "'");
            }
        }

        private void skip() { while (p < s.length() && s.charAt(p) == ' ') p++; }

        private boolean eat(String t) {
            if (s.startsWith(t, p)) { p += t.length(); return true; }
            return false;
        }
    }

    /** Top-level mapping, for tests and diagnostics. */
    Map<String, Node> root() { return new LinkedHashMap<>(root.entries()); }
}
