package dev.cosyvoice4j.model.flow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cosyvoice4j.golden.GoldenCase;
import dev.cosyvoice4j.io.Npy;
import dev.cosyvoice4j.tensor.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The flow inputs a {@code flow/.../encode} or {@code .../cfm} golden case records, read the same way by the
 * CosyVoice3 ({@link FlowGoldenStage}) and CosyVoice2 ({@code cv2.Cv2FlowGoldenStage}) flow stages.
 */
public record FlowGoldenInputs(int[] tokens, int[] promptTokens, float[] promptFeat, int promptFrames, float[] embedding,
                               boolean streaming, boolean finalizeCall) {

    public static FlowGoldenInputs of(GoldenCase c) {
        Tensor promptFeat = c.inputTensor("prompt_feat"); // [1, Fp, 80], time-major like the model's input
        return new FlowGoldenInputs(tokenInput(c, "token"), c.inputTensor("prompt_token").toIntArray(),
                promptFeat.toFloatArray(), promptFeat.dim(1), c.ref("embedding").outputTensor("embedding").toFloatArray(),
                c.input("streaming").asBoolean(), c.input("finalize").asBoolean());
    }

    /**
     * {@code token} is {@code {"ref": "flow/target_token"}}, which names no case: the fixtures store that tensor as
     * {@code flow/target_token.npy}; a real case id is resolved through the case's outputs.
     */
    private static int[] tokenInput(GoldenCase c, String name) {
        JsonNode n = c.input(name);
        if (n.has("ref")) {
            Path file = c.dir().resolve(n.get("ref").asText() + ".npy");
            if (Files.isRegularFile(file)) return Npy.read(file).toIntArray();
            return c.ref(name).outputTensor(name).toIntArray();
        }
        return c.inputTensor(name).toIntArray();
    }
}
