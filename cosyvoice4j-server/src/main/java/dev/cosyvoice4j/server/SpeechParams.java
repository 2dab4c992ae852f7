package dev.cosyvoice4j.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cosyvoice4j.codec.AudioFormat;

import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/**
 * One {@code POST /v1/audio/speech} body: OpenAI's {@code CreateSpeechRequest} (model, input, voice as a string or
 * {@code {"id"}}, instructions, response_format, speed, stream_format) plus vLLM-Omni's extensions (ref_audio as a
 * base64 data URL with ref_text, task, seed) and {@code source_audio} for voice conversion. Parsing checks every field
 * and names the one at fault; unknown fields are refused, as OpenAI's schema does ({@code additionalProperties: false}).
 */
record SpeechParams(String model, String input, String voice, String instructions, AudioFormat format, double speed,
                    boolean sse, byte[] refAudio, String refText, Task task, long seed, byte[] sourceAudio) {

    /** The official inference modes by their API names. */
    enum Task { ZERO_SHOT, CROSS_LINGUAL, INSTRUCT2, VC }

    private static final Set<String> FIELDS = Set.of("model", "input", "voice", "instructions", "response_format", "speed",
            "stream_format", "ref_audio", "ref_text", "task", "seed", "source_audio");

    static SpeechParams parse(String body, ServerOptions limits) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.invalid(null, "invalid_json", "request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw ApiException.invalid(null, "invalid_json", "request body must be a JSON object");
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw ApiException.invalid(f, "unknown_parameter", "unknown parameter '" + f + "'; accepted: " + String.join(", ", FIELDS.stream().sorted().toList()));
            }
        }
        String model = optionalString(root, "model", 256);
        String input = optionalString(root, "input", Integer.MAX_VALUE);
        String instructions = optionalString(root, "instructions", Integer.MAX_VALUE);
        if (instructions != null && instructions.length() > limits.maxInputChars()) {
            throw ApiException.invalid("instructions", "instructions_too_long", "instructions has " + instructions.length()
                    + " characters; the limit is " + limits.maxInputChars());
        }
        Task task = parseTask(optionalString(root, "task", 32));
        if (task != Task.VC) {
            if (input == null || input.isBlank()) throw ApiException.invalid("input", "missing_input", "input (the text to speak) is required");
            if (input.length() > limits.maxInputChars()) {
                throw ApiException.invalid("input", "input_too_long", "input has " + input.length() + " characters; the limit is "
                        + limits.maxInputChars());
            }
        }
        String voice = parseVoice(root.get("voice"));
        AudioFormat format = parseFormat(optionalString(root, "response_format", 16));
        double speed = 1.0;
        JsonNode sp = root.get("speed");
        if (sp != null && !sp.isNull()) {
            if (!sp.isNumber()) throw ApiException.invalid("speed", "invalid_type", "speed must be a number");
            speed = sp.asDouble();
            if (!(speed >= 0.25 && speed <= 4.0)) throw ApiException.invalid("speed", "invalid_value", "speed must be in [0.25, 4], got " + speed);
        }
        String streamFormat = optionalString(root, "stream_format", 16);
        boolean sse;
        if (streamFormat == null || streamFormat.equals("audio")) sse = false;
        else if (streamFormat.equals("sse")) sse = true;
        else throw ApiException.invalid("stream_format", "invalid_value", "stream_format must be 'audio' or 'sse', got '" + streamFormat + "'");
        byte[] refAudio = dataUrl(root, "ref_audio", limits.maxUploadBytes());
        String refText = optionalString(root, "ref_text", limits.maxInputChars());
        byte[] sourceAudio = dataUrl(root, "source_audio", limits.maxUploadBytes());
        long seed = 0;
        JsonNode sd = root.get("seed");
        if (sd != null && !sd.isNull()) {
            if (!sd.isIntegralNumber() || !sd.canConvertToLong()) throw ApiException.invalid("seed", "invalid_type", "seed must be an integer");
            seed = sd.asLong();
        }
        if (voice == null && refAudio == null) {
            throw ApiException.invalid("voice", "missing_voice", "voice is required (a saved voice id, or ref_audio with ref_text for a one-off voice)");
        }
        if (task == Task.VC && sourceAudio == null) {
            throw ApiException.invalid("source_audio", "missing_source_audio", "task 'vc' needs source_audio (the recording to re-voice, a base64 data URL)");
        }
        if (task == Task.INSTRUCT2 && (instructions == null || instructions.isBlank())) {
            throw ApiException.invalid("instructions", "missing_instructions", "task 'instruct2' needs instructions");
        }
        return new SpeechParams(model, input, voice, instructions, format, speed, sse, refAudio, refText, task, seed, sourceAudio);
    }

    private static String optionalString(JsonNode root, String field, int maxChars) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw ApiException.invalid(field, "invalid_type", field + " must be a string");
        String s = n.asText();
        if (s.length() > maxChars) throw ApiException.invalid(field, "too_long", field + " has " + s.length() + " characters; the limit is " + maxChars);
        return s;
    }

    private static String parseVoice(JsonNode v) {
        if (v == null || v.isNull()) return null;
        if (v.isTextual()) return v.asText();
        if (v.isObject() && v.size() == 1 && v.get("id") != null && v.get("id").isTextual()) return v.get("id").asText();
        throw ApiException.invalid("voice", "invalid_type", "voice must be a string or {\"id\": \"...\"}");
    }

    private static AudioFormat parseFormat(String s) {
        if (s == null) return AudioFormat.MP3;                                    // OpenAI's default
        try {
            return AudioFormat.parse(s);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("response_format", "invalid_value", e.getMessage());
        }
    }

    private static Task parseTask(String s) {
        if (s == null) return null;
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "zero_shot" -> Task.ZERO_SHOT;
            case "cross_lingual" -> Task.CROSS_LINGUAL;
            case "instruct2" -> Task.INSTRUCT2;
            case "vc" -> Task.VC;
            default -> throw ApiException.invalid("task", "invalid_value", "task must be zero_shot, cross_lingual, instruct2 or vc, got '" + s + "'");
        };
    }

    /** A base64 audio field: a {@code data:<mime>;base64,} URL or bare base64; decoded size checked before decoding. */
    private static byte[] dataUrl(JsonNode root, String field, long maxBytes) {
        String s = optionalString(root, field, Integer.MAX_VALUE);
        if (s == null) return null;
        String b64 = s;
        if (s.startsWith("data:")) {
            int comma = s.indexOf(',');
            if (comma < 0 || !s.substring(0, comma).endsWith(";base64")) {
                throw ApiException.invalid(field, "invalid_audio", field + " must be a base64 data URL (data:audio/wav;base64,...)");
            }
            b64 = s.substring(comma + 1);
        }
        if ((long) b64.length() / 4 * 3 > maxBytes) {
            throw ApiException.tooLarge(field, field + " is larger than the " + (maxBytes >> 20) + " MiB limit");
        }
        try {
            return Base64.getDecoder().decode(b64.replaceAll("\\s", ""));     // strict: a stray character is an error
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(field, "invalid_base64", field + " is not valid base64: " + e.getMessage());
        }
    }
}
