package dev.cosyvoice4j.server;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cosyvoice4j.frontend.audio.AudioTooLongException;
import dev.cosyvoice4j.frontend.audio.WavReader;
import dev.cosyvoice4j.io.ModelFormatException;

import java.io.ByteArrayInputStream;
import java.util.Map;

/**
 * Fuzz targets of what the server parses from clients before any model work: the speech request JSON, the
 * multipart voice upload (mime4j), the base64 {@code ref_audio} data URL (then the WAV inside it), and the DashScope
 * WebSocket text frames. The contract: an {@link ApiException} with a 4xx status (or, for WebSocket frames, a
 * {@link DashScopeSession.TaskError}) and a non-empty one-line message; anything else is a finding (it would be a 500
 * or a dropped connection). Corpora: {@code src/test/resources/dev/cosyvoice4j/server/ServerInputFuzzTestInputs/}.
 */
class ServerInputFuzzTest {
    private static final ServerOptions LIMITS = ServerOptions.defaults();

    @FuzzTest
    void speechRequestJson(byte[] body) {
        try {
            SpeechParams.parse(new String(body, java.nio.charset.StandardCharsets.UTF_8), LIMITS);
        } catch (ApiException e) {
            requireClientError(e);
        }
    }

    @FuzzTest
    void multipartVoiceUpload(FuzzedDataProvider data) {
        String contentType = "multipart/form-data; " + data.consumeString(80);
        byte[] body = data.consumeRemainingAsBytes();
        try {
            MultipartForm form = MultipartForm.parse(contentType, new ByteArrayInputStream(body),
                    Map.of("name", 1024L, "ref_text", 4096L, "audio_sample", 1L << 20));
            form.text("name");
            form.text("ref_text");
            form.bytes("audio_sample");
        } catch (ApiException e) {
            requireClientError(e);
        }
    }

    @FuzzTest
    void base64Audio(FuzzedDataProvider data) {
        ObjectNode request = Json.object();
        request.put("input", "hello");
        request.put("ref_text", "a transcript");
        request.put("ref_audio", data.consumeRemainingAsString());
        SpeechParams params;
        try {
            params = SpeechParams.parse(Json.write(request), LIMITS);
        } catch (ApiException e) {
            requireClientError(e);
            return;
        }
        try {
            WavReader.read(params.refAudio(), "ref_audio", 30, "prompt limit");
        } catch (ModelFormatException | AudioTooLongException e) {
            requireOneLine(e.getMessage());
        }
    }

    @FuzzTest
    void dashScopeMessage(byte[] frame) {
        try {
            DashScopeSession.Message m = DashScopeSession.Message.decode(new String(frame, java.nio.charset.StandardCharsets.UTF_8));
            m.payload().path("input").path("text").asText("");
            m.payload().path("parameters").path("sample_rate").asInt(-1);
        } catch (DashScopeSession.TaskError e) {
            requireOneLine(e.getMessage());
        }
    }

    private static void requireClientError(ApiException e) {
        if (e.status() < 400 || e.status() > 499) throw new IllegalStateException("status " + e.status() + " for client input", e);
        requireOneLine(e.getMessage());
    }

    private static void requireOneLine(String m) {
        if (m == null || m.isBlank() || m.indexOf('\n') >= 0 || m.indexOf('\r') >= 0) {
            throw new IllegalStateException("error message is not one clear line: " + m);
        }
    }
}
