package dev.cosyvoice4j.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Shared, lazily loaded test data: the fixture tokenizer and the Python reference vectors. */
final class TextTestData {
    private TextTestData() {}

    static final Path BLANK_EN = Path.of("src/test/resources/fixtures/cosyvoice3-tiny/CosyVoice-BlankEN");

    private static final class TokenizerHolder {
        static final Qwen2Tokenizer TOKENIZER = Qwen2Tokenizer.loadCosyVoice3(BLANK_EN);
    }

    private static final class VectorsHolder {
        static final JsonNode VECTORS = read(Path.of("src/test/resources/text/reference-vectors.json"));
    }

    /** The CosyVoice3 tokenizer of the fixture model (loaded once per JVM). */
    static Qwen2Tokenizer tokenizer() { return TokenizerHolder.TOKENIZER; }

    /** reference-vectors.json, written by make_reference_vectors.py from the official Python code. */
    static JsonNode vectors() { return VectorsHolder.VECTORS; }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }

    private static JsonNode read(Path p) {
        try {
            return new ObjectMapper().readTree(p.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
