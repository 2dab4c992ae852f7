package dev.cosyvoice4j.cli;

import dev.cosyvoice4j.config.ModelConfig;
import dev.cosyvoice4j.config.ModelDir;
import dev.cosyvoice4j.io.OnnxSummary;
import dev.cosyvoice4j.io.PtArchive;
import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code info <model-dir>}: the parsed configuration and what each model file holds. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show the family and configuration of a Fun-CosyVoice3 or CosyVoice2 model (directory or id) and the size of each model file.")
public final class InfoCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "<model>", description = "Model directory (official layout) or model id (owner/name).")
    String model;

    @picocli.CommandLine.Mixin
    HubFlags hubFlags = new HubFlags();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Path modelDir = hubFlags.locator(false).resolve(model);
        ModelDir dir = ModelDir.open(modelDir);
        ModelConfig c = dir.config();
        out.printf("model dir    %s%n", modelDir.toAbsolutePath().normalize());
        out.printf("family       %s (%s, %s)%n", c.family().displayName(), c.family().id(), c.family().yamlFile());
        out.printf("audio        sample_rate %d Hz, token_frame_rate %d, token_mel_ratio %d, chunk_size %d tokens%n",
                c.sampleRate(), c.tokenFrameRate(), c.tokenMelRatio(), c.chunkSize());
        out.printf("qwen2        %s%n", c.qwen2());
        out.printf("llm          %s%n", c.llm());
        out.printf("flow         %s%n", c.flow() != null ? c.flow() : dev.cosyvoice4j.config.Cv2FlowConfig.load(modelDir));
        out.printf("hift         %s%n", c.hift());
        out.printf("%n%-26s %8s %15s %15s  %s%n", "file", "tensors", "parameters", "bytes", "dtypes");
        for (Path pt : new Path[]{dir.llmPt(), dir.flowPt(), dir.hiftPt()}) {
            try (PtArchive a = PtArchive.open(pt)) {
                // tied tensors (lm_head = embed_tokens) share bytes: count each storage view once
                Set<String> seen = new HashSet<>();
                long params = 0;
                TreeMap<DType, Integer> dtypes = new TreeMap<>();
                for (Tensor t : a.tensors().values()) {
                    dtypes.merge(t.dtype(), 1, Integer::sum);
                    if (seen.add(t.data().address() + ":" + t.data().byteSize())) params += t.numel();
                }
                out.printf("%-26s %8d %,15d %,15d  %s%n", pt.getFileName(), a.tensors().size(), params,
                        pt.toFile().length(), dtypes);
            }
        }
        for (Path onnx : new Path[]{dir.campplusOnnx(), dir.speechTokenizerOnnx()}) {
            OnnxSummary.Summary s = OnnxSummary.read(onnx);
            out.printf("%-26s %8d %,15d %,15d  onnx initializers%n", onnx.getFileName(), s.initializers(),
                    s.parameters(), s.fileBytes());
        }
        out.flush();
        return 0;
    }
}
