package dev.cosyvoice4j.text;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cosyvoice4j.fuzz.Hostile;
import dev.cosyvoice4j.io.ModelFormatException;

import java.nio.file.Path;

/**
 * Fuzz targets of the tokenizer's JSON: {@code vocab.json} ({@link FlatJsonObjectReader} into a {@link TokenTable})
 * and the {@code added_tokens_decoder} of {@code tokenizer_config.json} (Jackson's streaming parser).
 */
class TokenizerJsonFuzzTest {
    @FuzzTest
    void vocabJson(byte[] file) throws Exception {
        Hostile.refusedOnlyWith(ModelFormatException.class,
                () -> new FlatJsonObjectReader(Path.of("vocab.json"), file).readInto(new TokenTable(16)));
    }

    @FuzzTest
    void tokenizerConfigJson(byte[] file) throws Exception {
        Hostile.refusedOnlyWith(ModelFormatException.class, () -> Qwen2Tokenizer.readAddedTokens(
                Path.of("tokenizer_config.json"), file, new java.util.LinkedHashMap<>(), new java.util.HashMap<>()));
    }
}
