package dev.cosyvoice4j.server;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponse;
import com.openai.errors.BadRequestException;
import com.openai.models.audio.speech.SpeechCreateParams;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The official OpenAI Java client against the server, on model A and on model C (other shapes): its default mp3,
 * wav, opus, flac, streamed pcm and SSE, and a 4xx for an unknown voice.
 */
class OpenAiClientTest {
    @TempDir Path speakers;

    static Stream<Path> models() { return Stream.of(TestServer.MODEL_A, TestServer.MODEL_C); }

    static byte[] body(HttpResponse r) throws Exception {
        try (r; InputStream in = r.body()) {
            return in.readAllBytes();
        }
    }

    static SpeechCreateParams.Builder speech(String text) {
        return SpeechCreateParams.builder().model("cosyvoice3").input(text).voice("alice");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void officialClientGetsEveryFormat(Path model) throws Exception {
        try (TestServer t = TestServer.start(model, speakers)) {
            OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(t.base + "v1").apiKey("unused").build();
            try {
                byte[] mp3 = body(client.audio().speech().create(speech("The default format.").build()));
                assertTrue(mp3.length > 100 && (mp3[0] & 0xFF) == 0xFF && (mp3[1] & 0xE0) == 0xE0, "an MPEG audio frame first");

                byte[] wav = body(client.audio().speech().create(speech("A wave file.").responseFormat(SpeechCreateParams.ResponseFormat.WAV).build()));
                assertEquals("RIFF", new String(wav, 0, 4, StandardCharsets.US_ASCII));

                byte[] opus = body(client.audio().speech().create(speech("Opus.").responseFormat(SpeechCreateParams.ResponseFormat.OPUS).build()));
                assertEquals("OggS", new String(opus, 0, 4, StandardCharsets.US_ASCII));
                assertTrue(new String(opus, StandardCharsets.ISO_8859_1).contains("OpusHead"));

                byte[] flac = body(client.audio().speech().create(speech("Flac.").responseFormat(SpeechCreateParams.ResponseFormat.FLAC).build()));
                assertEquals("fLaC", new String(flac, 0, 4, StandardCharsets.US_ASCII));

                try (HttpResponse r = client.audio().speech().create(speech("Streamed pcm.")
                        .responseFormat(SpeechCreateParams.ResponseFormat.PCM)
                        .putAdditionalBodyProperty("seed", JsonValue.from(7)).build());
                     InputStream in = r.body()) {
                    assertEquals(200, r.statusCode());
                    byte[] first = in.readNBytes(2);
                    assertEquals(2, first.length, "audio arrives on the stream");
                    assertTrue((first.length + in.readAllBytes().length) % 2 == 0, "whole 16-bit samples");
                }

                String sse = new String(body(client.audio().speech().create(speech("Events.")
                        .responseFormat(SpeechCreateParams.ResponseFormat.PCM)
                        .streamFormat(SpeechCreateParams.StreamFormat.SSE).build())), StandardCharsets.UTF_8);
                assertTrue(sse.startsWith("event: speech.audio.delta\ndata: {\"type\":\"speech.audio.delta\",\"audio\":\""), sse);
                assertTrue(sse.contains("event: speech.audio.done\ndata: {\"type\":\"speech.audio.done\",\"usage\":{"), sse);

                BadRequestException e = assertThrows(BadRequestException.class,
                        () -> body(client.audio().speech().create(speech("Nobody.").voice("nobody").build())));
                assertTrue(e.getMessage().contains("nobody"), e.getMessage());
            } finally {
                client.close();
            }
        }
    }
}
