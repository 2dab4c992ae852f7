package dev.cosyvoice4j.server;

import io.helidon.webserver.http.ServerRequest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Request bodies read with a byte limit (a body over it is refused, never buffered whole). */
final class Bodies {
    private Bodies() {}

    static byte[] read(ServerRequest req, long maxBytes) {
        req.headers().contentLength().ifPresent(n -> {
            if (n > maxBytes) throw ApiException.tooLarge(null, "request body of " + n + " bytes is over the " + maxBytes + "-byte limit");
        });
        try (InputStream in = req.content().inputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
                if (total > maxBytes) throw ApiException.tooLarge(null, "request body is over the " + maxBytes + "-byte limit");
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the request body: " + e.getMessage(), e);
        }
    }
}
