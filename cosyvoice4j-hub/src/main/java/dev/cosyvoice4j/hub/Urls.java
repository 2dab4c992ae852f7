package dev.cosyvoice4j.hub;

import java.nio.charset.StandardCharsets;

/** Percent-encoding of path segments and query values (RFC 3986 unreserved characters stay as they are). */
final class Urls {
    private Urls() {}

    /** One path segment or query value: everything but unreserved characters encoded ('/' too). */
    static String component(String s) { return encode(s, false); }

    /** A '/'-separated file path: each segment encoded, the separators kept. */
    static String path(String s) { return encode(s, true); }

    private static String encode(String s, boolean keepSlash) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
                    || c == '~' || keepSlash && c == '/') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return out.toString();
    }
}
