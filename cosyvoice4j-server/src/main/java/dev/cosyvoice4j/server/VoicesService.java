package dev.cosyvoice4j.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cosyvoice4j.engine.SystemPrompts;
import dev.cosyvoice4j.engine.Engine;
import dev.cosyvoice4j.engine.SpeakerStore;
import dev.cosyvoice4j.engine.Voice;
import dev.cosyvoice4j.io.ModelFormatException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaType;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * Saved voices over HTTP, the same store as {@code synth --save-speaker}: {@code POST /v1/audio/voices} (multipart
 * {@code name}, {@code audio_sample}, optional {@code ref_text}) analyses the recording once and saves it atomically;
 * {@code GET} lists {@code {"voices": [{"id", "name", "object": "audio.voice", "created_at"}]}} (OpenAI's
 * VoiceResource, which Open WebUI reads as {@code voice['id']}); {@code DELETE /v1/audio/voices/{id}} removes one.
 * The id is the name (letters, digits, {@code _ - .}), so a voice is used as {@code "voice": "<name>"}.
 */
final class VoicesService {
    private final Engine engine;
    private final ServerOptions options;
    private final Admission admission;

    VoicesService(Engine engine, ServerOptions options, Admission admission) {
        this.engine = engine;
        this.options = options;
        this.admission = admission;
    }

    void list(ServerRequest req, ServerResponse res) throws IOException {
        ArrayNode voices = Json.MAPPER.createArrayNode();
        for (SpeakerStore.Entry e : engine.speakers().list()) voices.add(resource(e.id(), e.savedAt()));
        ObjectNode root = Json.object();
        root.set("voices", voices);
        sendJson(res, Status.OK_200, root);
    }

    void delete(ServerRequest req, ServerResponse res) throws IOException {
        String id = req.path().pathParameters().get("id");
        if (!SpeakerStore.validId(id)) throw ApiException.invalid("id", "invalid_voice_id", "'" + id + "' is not a voice id");
        if (!engine.speakers().delete(id)) throw ApiException.notFound("id", "voice_not_found", "voice '" + id + "' not found");
        ObjectNode root = Json.object();
        root.put("id", id);
        root.put("object", "audio.voice.deleted");
        root.put("deleted", true);
        sendJson(res, Status.OK_200, root);
    }

    void create(ServerRequest req, ServerResponse res) throws InterruptedException, IOException {
        HttpMediaType type = req.headers().contentType().orElse(null);
        if (type == null || !type.mediaType().text().equalsIgnoreCase("multipart/form-data")) {
            throw ApiException.invalid(null, "invalid_content_type", "POST /v1/audio/voices takes multipart/form-data with name, audio_sample and optional ref_text");
        }
        req.headers().contentLength().ifPresent(n -> {
            if (n > options.maxUploadBytes() + 64 * 1024) {
                throw ApiException.tooLarge("audio_sample", "upload of " + n + " bytes is over the " + (options.maxUploadBytes() >> 20) + " MiB limit");
            }
        });
        MultipartForm form = MultipartForm.parse(req.headers().first(HeaderNames.CONTENT_TYPE).orElseThrow(), req.content().inputStream(), Map.of(
                "name", 1024L, "ref_text", 4L * options.maxInputChars(), "audio_sample", options.maxUploadBytes()));
        String name = form.text("name"), refText = form.text("ref_text");
        byte[] audio = form.bytes("audio_sample");
        if (refText != null && refText.length() > options.maxInputChars()) {
            throw ApiException.invalid("ref_text", "too_long", "ref_text has " + refText.length() + " characters; the limit is " + options.maxInputChars());
        }
        if (name == null || name.isBlank()) throw ApiException.invalid("name", "missing_name", "name is required");
        name = name.strip();
        if (!SpeakerStore.validId(name)) {
            throw ApiException.invalid("name", "invalid_voice_name", "name must be 1-64 letters, digits, '_', '-' or '.', starting with a letter or digit; got '" + name + "'");
        }
        if (audio == null || audio.length == 0) throw ApiException.invalid("audio_sample", "missing_audio", "audio_sample (a WAV recording) is required");
        Voice voice;
        try (TempAudio wav = TempAudio.of(audio); Admission.Permit permit = admission.acquire()) {
            try {
                voice = engine.analyzeVoice(wav.file, SystemPrompts.promptText(engine.family(), refText));
            } catch (IllegalArgumentException | ModelFormatException e) {
                throw ApiException.invalid("audio_sample", "invalid_audio", wav.describe(e.getMessage(), "audio_sample"));
            }
        }
        engine.speakers().save(name, voice);
        sendJson(res, Status.OK_200, resource(name, Instant.now()));
    }

    private static ObjectNode resource(String id, Instant created) {
        ObjectNode v = Json.object();
        v.put("id", id);
        v.put("name", id);
        v.put("object", "audio.voice");
        v.put("created_at", created.getEpochSecond());
        return v;
    }

    static void sendJson(ServerResponse res, Status status, ObjectNode body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.write(body).getBytes(StandardCharsets.UTF_8));
    }
}
