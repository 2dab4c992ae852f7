package dev.cosyvoice4j.bench.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * The body every request of a load run sends to {@code POST /v1/audio/speech}: raw PCM streamed as it is generated
 * ({@code response_format: pcm, stream_format: audio}), with either a voice name or a one-off voice from a WAV
 * ({@code ref_audio} data URI + {@code ref_text}, the server's extension; {@code voice} is left out then).
 *
 * @param refSource where the reference WAV came from, for the report (the data URI is never written there)
 */
public record SpeechRequest(String model, String input, String voice, String refAudioDataUri, String refText,
                            String refSource, long seed) {
    public static final String DEFAULT_MODEL = "cosyvoice3";
    private static final ObjectMapper JSON = new ObjectMapper();

    public SpeechRequest {
        if (input == null || input.isBlank()) throw new IllegalArgumentException("--text: must not be empty");
        if ((voice == null) == (refAudioDataUri == null)) {
            throw new IllegalArgumentException("a speech request needs either a voice name or a reference WAV, not both");
        }
    }

    public static SpeechRequest voice(String input, String voice, long seed) {
        return new SpeechRequest(DEFAULT_MODEL, input, voice, null, null, null, seed);
    }

    /** A one-off voice: the WAV file's bytes as a {@code data:audio/wav;base64,...} URI, read once for the whole run. */
    public static SpeechRequest refWav(String input, Path wav, String refText, long seed) throws IOException {
        String uri = "data:audio/wav;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(wav));
        return new SpeechRequest(DEFAULT_MODEL, input, null, uri, refText, wav.toString(), seed);
    }

    public String json() {
        ObjectNode n = JSON.createObjectNode();
        n.put("model", model);
        n.put("input", input);
        if (voice != null) n.put("voice", voice);
        n.put("response_format", "pcm");
        n.put("stream_format", "audio");
        n.put("seed", seed);
        if (refAudioDataUri != null) {
            n.put("ref_audio", refAudioDataUri);
            if (refText != null) n.put("ref_text", refText);
        }
        return n.toString();
    }

    /** How the report names the voice. */
    public String voiceLabel() {
        return voice != null ? voice : "one-off voice from " + refSource;
    }

    @Override
    public String toString() { // keeps the (large) data URI out of logs
        return "SpeechRequest[model=" + model + ", voice=" + voiceLabel() + ", seed=" + seed + "]";
    }
}
