package dev.cosyvoice4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Found by the soak: {@code DELETE /v1/audio/voices/..%2Fescape} (a voice id that decodes to a path no route matches)
 * answered 500 "NotFoundException: Endpoint not found" and logged a stack trace per request: Helidon's own refusals
 * fell into the catch-all error handler. They now keep their status, in OpenAI's error shape.
 */
class UnmatchedRouteTest {
    @TempDir Path speakers;

    @Test
    void anUnmatchedPathIs404WithAnErrorBodyNot500() throws Exception {
        try (TestServer t = TestServer.start(TestServer.MODEL_A, speakers)) {
            HttpResponse<byte[]> r = t.http.send(HttpRequest.newBuilder(t.uri("/v1/audio/voices/..%2Fescape")).DELETE().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(404, r.statusCode(), new String(r.body()));
            JsonNode e = Json.MAPPER.readTree(r.body()).path("error");
            assertEquals("not_found", e.path("code").asText(), e.toString());
            assertEquals("invalid_request_error", e.path("type").asText());
            assertTrue(e.path("message").asText().startsWith("no route for DELETE "), e.toString());
            assertEquals("false", r.headers().firstValue("x-should-retry").orElse(null));

            assertEquals(404, t.get("/v1/no-such-route").statusCode());
            assertEquals(200, t.get("/health").statusCode(), "and the server carries on");
        }
    }
}
