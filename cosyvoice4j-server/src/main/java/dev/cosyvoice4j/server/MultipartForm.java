package dev.cosyvoice4j.server;

import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.apache.james.mime4j.stream.NameValuePair;
import org.apache.james.mime4j.stream.RawField;
import org.apache.james.mime4j.stream.RawFieldParser;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@code multipart/form-data} body (RFC 7578) read with Apache mime4j's token stream: each part's name from its
 * {@code Content-Disposition}, its bytes read up to a per-field limit. Unknown parts are skipped; a repeated part
 * keeps the last value.
 */
final class MultipartForm {
    private final Map<String, byte[]> parts = new HashMap<>();

    private MultipartForm() {}

    /**
     * Parses {@code body} of a request whose Content-Type is {@code contentType}; {@code maxBytes(name)} is the limit
     * of each wanted field (fields not in {@code limits} are skipped).
     */
    static MultipartForm parse(String contentType, InputStream body, Map<String, Long> limits) {
        MimeConfig config = MimeConfig.custom().setMaxHeaderCount(64).setMaxHeaderLen(16 * 1024).setMaxLineLen(16 * 1024).build();
        MimeTokenStream tokens = new MimeTokenStream(config);
        // mime4j parses a message: give it the request's Content-Type as the message header
        byte[] header = ("Content-Type: " + contentType + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        tokens.parse(new SequenceInputStream(new ByteArrayInputStream(header), body));
        MultipartForm form = new MultipartForm();
        String name = null;
        boolean sawPart = false;
        try {
            for (EntityState s = tokens.getState(); s != EntityState.T_END_OF_STREAM; s = tokens.next()) {
                switch (s) {
                    case T_START_BODYPART -> {
                        name = null;
                        sawPart = true;
                    }
                    case T_FIELD -> {
                        Field f = tokens.getField();
                        if (f.getName().equalsIgnoreCase("Content-Disposition")) name = partName(f);
                    }
                    case T_BODY -> {
                        if (name != null && limits.containsKey(name)) {
                            long max = limits.get(name);
                            try (InputStream in = tokens.getDecodedInputStream()) {
                                byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
                                if (b.length > max) throw ApiException.tooLarge(name, name + " is over its " + limitText(max) + " limit");
                                form.parts.put(name, b);
                            }
                        }
                    }
                    default -> { }
                }
            }
        } catch (MimeException e) {
            throw ApiException.invalid(null, "invalid_multipart", "malformed multipart/form-data body: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the upload: " + e.getMessage(), e);
        }
        if (!sawPart) throw ApiException.invalid(null, "invalid_multipart", "multipart/form-data body without parts (check the boundary)");
        return form;
    }

    private static String partName(Field f) {
        RawField raw = f instanceof RawField r ? r : new RawField(f.getName(), f.getBody());
        for (NameValuePair p : RawFieldParser.DEFAULT.parseRawBody(raw).getParams()) {
            if (p.getName().equalsIgnoreCase("name")) return p.getValue();
        }
        return null;
    }

    private static String limitText(long max) { return max >= 1 << 20 ? (max >> 20) + " MiB" : max + "-byte"; }

    byte[] bytes(String name) { return parts.get(name); }

    String text(String name) {
        byte[] b = parts.get(name);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
