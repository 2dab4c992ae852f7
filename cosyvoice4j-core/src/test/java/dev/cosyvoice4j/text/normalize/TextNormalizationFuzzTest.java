package dev.cosyvoice4j.text.normalize;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cosyvoice4j.text.Qwen2Tokenizer;
import dev.cosyvoice4j.text.TextFrontend;

import java.nio.file.Path;

/**
 * Fuzz target of text normalisation as the engine runs it on request text: the frontend's normalise-and-split
 * ({@link TextFrontend#segments}) with the wetext port, in Chinese and English, and the tokenizer on each segment. The contract is "never throws":
 * any exception or error is a finding; libFuzzer's {@code -timeout=1} (scripts/fuzz) catches slow inputs.
 */
class TextNormalizationFuzzTest {
    private static final WeTextNormalizer NORMALIZER = new WeTextNormalizer();
    /** The fixture model's tokenizer (English segments are measured in tokens); tests run from the repository root. */
    private static final Qwen2Tokenizer TOKENIZER =
            Qwen2Tokenizer.forModelDir(Path.of("src/test/resources/fixtures/cosyvoice3-tiny"));
    private static final TextFrontend FRONTEND = new TextFrontend(TOKENIZER, NORMALIZER);

    @FuzzTest
    void normalize(FuzzedDataProvider data) {
        boolean chinese = data.consumeBoolean();
        String text = data.consumeRemainingAsString();
        NORMALIZER.normalize(text, chinese);
        for (String segment : FRONTEND.segments(text, true)) TOKENIZER.encode(segment);
    }
}
