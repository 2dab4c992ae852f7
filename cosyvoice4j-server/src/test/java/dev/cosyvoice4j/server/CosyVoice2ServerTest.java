package dev.cosyvoice4j.server;

import dev.cosyvoice4j.config.ModelFamily;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same server on the CosyVoice2 fixture model ({@code cosyvoice2-tiny}): the endpoints work unchanged, every
 * task, streamed and not; the saved zero-shot voice holds CosyVoice2's plain transcript.
 */
class CosyVoice2ServerTest {
    static final Path MODEL_CV2 = TestServer.FIXTURES.resolve("cosyvoice2-tiny");

    @TempDir static Path speakers;
    static TestServer t;

    @BeforeAll
    static void start() throws Exception { t = TestServer.start(MODEL_CV2, speakers); }

    @AfterAll
    static void stop() { if (t != null) t.close(); }

    static String body(HttpResponse<byte[]> r) { return new String(r.body(), StandardCharsets.UTF_8); }

    @Test
    void loadsAsCosyVoice2WithAPlainTranscriptVoice() {
        assertEquals(ModelFamily.COSYVOICE2, t.engine.family());
        assertEquals(TestServer.ZERO_SHOT_TRANSCRIPT, t.engine.savedVoice("alice").promptText(), "no CosyVoice3 system prompt");
    }

    @Test
    void zeroShotWavAndStreamedPcmAreTheSameAudio() throws Exception {
        HttpResponse<byte[]> wav = t.postJson("/v1/audio/speech", TestServer.speech("Hello there.", "alice", "wav"));
        assertEquals(200, wav.statusCode(), body(wav));
        assertEquals(t.engine.sampleRateHz(), ByteBuffer.wrap(wav.body()).order(ByteOrder.LITTLE_ENDIAN).getInt(24));
        assertTrue(wav.body().length > 44 + 2 * 1000, "some audio: " + wav.body().length);
        HttpResponse<byte[]> pcm = t.postJson("/v1/audio/speech", TestServer.speech("Hello there.", "alice", "pcm"));
        assertEquals(200, pcm.statusCode(), body(pcm));
        assertEquals(wav.body().length - 44, pcm.body().length, "streamed (pcm) and whole (wav) give the same length");
    }

    @Test
    void crossLingualInstruct2AndOneOffVoices() throws Exception {
        HttpResponse<byte[]> cross = t.postJson("/v1/audio/speech", TestServer.speech("Across languages.", "bob", "pcm"));
        assertEquals(200, cross.statusCode(), body(cross));
        assertTrue(cross.body().length > 1000);
        HttpResponse<byte[]> instruct = t.postJson("/v1/audio/speech", "{\"model\":\"m\",\"input\":\"Slowly.\",\"voice\":\"bob\","
                + "\"instructions\":\"用四川话说这句话\",\"response_format\":\"pcm\"}");
        assertEquals(200, instruct.statusCode(), body(instruct));
        String ref = "data:audio/wav;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(TestServer.ZERO_SHOT_WAV));
        HttpResponse<byte[]> oneOff = t.postJson("/v1/audio/speech", "{\"model\":\"m\",\"input\":\"One-off.\",\"ref_audio\":\"" + ref
                + "\",\"ref_text\":\"" + TestServer.ZERO_SHOT_TRANSCRIPT + "\",\"response_format\":\"pcm\",\"seed\":3}");
        assertEquals(200, oneOff.statusCode(), body(oneOff));
    }

    @Test
    void voiceConversion() throws Exception {
        String source = "data:audio/wav;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(TestServer.CROSS_LINGUAL_WAV));
        HttpResponse<byte[]> vc = t.postJson("/v1/audio/speech", "{\"model\":\"m\",\"input\":\"\",\"voice\":\"alice\",\"task\":\"vc\","
                + "\"source_audio\":\"" + source + "\",\"response_format\":\"pcm\"}");
        assertEquals(200, vc.statusCode(), body(vc));
        assertTrue(vc.body().length > 1000);
    }
}
