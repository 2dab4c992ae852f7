package dev.cosyvoice4j.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cosyvoice4j.fuzz.Hostile;
import dev.cosyvoice4j.io.ModelFormatException;

import java.nio.charset.StandardCharsets;

/**
 * Fuzz target of the YAML subset ({@code cosyvoice3.yaml}): parse, then the queries the config loader makes
 * (nested keys, !ref arithmetic), all of which refuse with a one-line {@link ModelFormatException}.
 */
class YamlSubsetParserFuzzTest {
    @FuzzTest
    void yaml(byte[] file) throws Exception {
        String text = new String(file, StandardCharsets.UTF_8);
        Hostile.refusedOnlyWith(ModelFormatException.class, () -> {
            CosyVoiceYaml y = CosyVoiceYaml.parse(text, "fuzz.yaml");
            for (String key : new String[]{"sample_rate", "llm.llm_input_size", "hift.upsample_rates", "flow.input_size"}) {
                if (!y.has(key)) continue;
                y.tag(key);
                try { y.getInt(key); } catch (ModelFormatException e) { Hostile.requireOneLine(e); }
                try { y.getIntList(key); } catch (ModelFormatException e) { Hostile.requireOneLine(e); }
            }
        });
    }
}
