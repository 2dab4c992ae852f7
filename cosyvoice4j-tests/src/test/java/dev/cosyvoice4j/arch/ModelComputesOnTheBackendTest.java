package dev.cosyvoice4j.arch;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The forward passes compute through the backend: model code holds {@code Buf} handles and creates no host
 * activation arrays. A {@code new float[]}/{@code new double[]} in {@code model/} is allowed only where the values are
 * not activations: constants derived at load (weight-norm scales, the polyphase fold, RoPE frequencies, the iSTFT
 * window, the CFM noise and time grid), the sampler's work on the host logits (the stage edge where RAS sampling
 * with its RNG happens), and the golden stages (verification code, not the forward pass).
 */
class ModelComputesOnTheBackendTest {
    static final Path MODEL = Path.of("cosyvoice4j-core/src/main/java/dev/cosyvoice4j/model");

    /** File -> why its host arrays are not activations. */
    static final Map<String, String> ALLOWED = Map.of(
            "flow/CausalConditionalCfm.java", "the noise buffer and time grid (constants; z for the golden check)",
            "flow/TorchRandn.java", "generates the constant CFM noise buffer (torch.randn) once",
            "flow/cv2/CausalConditionalCfm.java", "the time grid and the one-value time holder of the U-Net's embedding",
            "flow/cv2/EspnetRelPositionalEncoding.java", "the relative positional table (a constant of the layer)",
            "hift/HiftWeights.java", "weight-norm scales computed once at load",
            "hift/CausalHiftGenerator.java", "load-time polyphase fold of the upsampling weights, the iSTFT window",
            "hift/HiftGenerator.java", "load-time polyphase fold of the transposed-conv weights, the iSTFT window",
            "lm/LmSession.java", "the host copy of the logits the sampler reads (stage edge)",
            "lm/RasSampler.java", "RAS sampling on the host log-probabilities (stage edge)",
            "qwen2/Qwen2Model.java", "RoPE inverse frequencies (a constant)");

    static final Pattern NEW_ARRAY = Pattern.compile("new (float|double)\\[");

    @Test
    void modelCodeCreatesNoHostActivationArrays() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MODEL)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String rel = MODEL.relativize(f).toString().replace('\\', '/');
                if (rel.endsWith("GoldenStage.java") || ALLOWED.containsKey(rel)) continue;
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = NEW_ARRAY.matcher(lines.get(i));
                    if (m.find()) found.add(rel + ":" + (i + 1) + ": " + lines.get(i).strip());
                }
            }
        }
        assertEquals(List.of(), found);
    }
}
