package dev.cosyvoice4j.text;

import dev.cosyvoice4j.io.ModelFormatException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Reads a flat JSON object of string keys and non-negative integer values ({@code vocab.json}) straight
 * from its UTF-8 bytes. A general JSON library spends most of its time canonicalising 150k distinct keys;
 * this does one pass and one String per key. Full JSON string escapes are supported; anything else that is
 * not {@code {"key": 123, ...}} is reported with its byte offset.
 */
final class FlatJsonObjectReader {
    /** Far above any real vocabulary; guards the id-indexed tables against absurd allocations. */
    static final int MAX_ID = 16_000_000;

    private final Path file;
    private final byte[] b;
    private int pos;

    FlatJsonObjectReader(Path file, byte[] bytes) {
        this.file = file;
        this.b = bytes;
    }

    /** Reads the object into {@code out} (keys as UTF-8 bytes). */
    void readInto(TokenTable out) {
        if (b.length >= 3 && (b[0] & 0xFF) == 0xEF && (b[1] & 0xFF) == 0xBB && (b[2] & 0xFF) == 0xBF) pos = 3;
        skipWs();
        expect('{');
        skipWs();
        if (peek() == '}') { pos++; return; }
        while (true) {
            skipWs();
            expect('"');
            int start = pos;
            while (pos < b.length && b[pos] != '"' && b[pos] != '\\') pos++;
            int keyOff, keyLen;
            byte[] keyBytes;
            if (pos < b.length && b[pos] == '"') { // no escapes: the key bytes are the file bytes
                keyBytes = b;
                keyOff = start;
                keyLen = pos - start;
                pos++;
            } else {
                pos = start - 1;
                keyBytes = readString().getBytes(StandardCharsets.UTF_8);
                keyOff = 0;
                keyLen = keyBytes.length;
            }
            skipWs();
            expect(':');
            skipWs();
            int id = readInt();
            // each entry takes at least 6 bytes ("k":N,), so an id beyond the file's length is no dense vocabulary;
            // refused before the id-indexed tables grow to it
            if (id > MAX_ID || id > b.length) throw error("token id " + id + " is out of range for a file of " + b.length + " bytes");
            out.put(keyBytes, keyOff, keyLen, id);
            skipWs();
            int c = next();
            if (c == '}') break;
            if (c != ',') throw error("expected ',' or '}'");
        }
        skipWs();
        if (pos != b.length) throw error("trailing data after the object");
    }

    private String readString() {
        expect('"');
        int start = pos;
        while (pos < b.length && b[pos] != '"' && b[pos] != '\\') pos++;
        if (pos < b.length && b[pos] == '"') { // fast path: no escapes
            String s = new String(b, start, pos - start, StandardCharsets.UTF_8);
            pos++;
            return s;
        }
        StringBuilder sb = new StringBuilder(new String(b, start, pos - start, StandardCharsets.UTF_8));
        while (true) {
            if (pos >= b.length) throw error("unterminated string");
            int runStart = pos;
            while (pos < b.length && b[pos] != '"' && b[pos] != '\\') pos++;
            sb.append(new String(b, runStart, pos - runStart, StandardCharsets.UTF_8));
            if (pos >= b.length) throw error("unterminated string");
            if (b[pos] == '"') { pos++; return sb.toString(); }
            pos++; // backslash
            int e = next();
            switch (e) {
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case '/' -> sb.append('/');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> sb.append((char) hex4());
                default -> throw error("bad escape \\" + (char) e);
            }
        }
    }

    private int hex4() {
        if (pos + 4 > b.length) throw error("truncated \\u escape");
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(b[pos++], 16);
            if (d < 0) throw error("bad \\u escape");
            v = v * 16 + d;
        }
        return v;
    }

    private int readInt() {
        int start = pos;
        long v = 0;
        while (pos < b.length && b[pos] >= '0' && b[pos] <= '9') {
            v = v * 10 + (b[pos++] - '0');
            if (v > Integer.MAX_VALUE) throw error("integer too large");
        }
        if (pos == start) throw error("expected a non-negative integer");
        return (int) v;
    }

    private void skipWs() {
        while (pos < b.length && (b[pos] == ' ' || b[pos] == '\n' || b[pos] == '\r' || b[pos] == '\t')) pos++;
    }

    private int peek() { return pos < b.length ? b[pos] : -1; }

    private int next() {
        if (pos >= b.length) throw error("unexpected end of file");
        return b[pos++];
    }

    private void expect(char c) {
        if (pos >= b.length || b[pos] != c) throw error("expected '" + c + "'");
        pos++;
    }

    private ModelFormatException error(String what) {
        return new ModelFormatException(file, "invalid JSON at byte " + pos + ": " + what);
    }
}
