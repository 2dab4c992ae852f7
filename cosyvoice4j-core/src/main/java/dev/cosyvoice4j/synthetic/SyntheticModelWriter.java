package dev.cosyvoice4j.synthetic;

import dev.cosyvoice4j.config.Cv2FlowConfig;
import dev.cosyvoice4j.config.ModelConfig;
import dev.cosyvoice4j.config.ModelFamily;
import dev.cosyvoice4j.io.PtWriter;
import dev.cosyvoice4j.tensor.DType;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes a complete model directory in the official layout with seeded random weights of any size
 * ({@code make-synthetic}). Weights stream straight to disk (nothing model-sized is held in memory); the
 * directory is built as {@code DIR.tmp} and renamed at the end, so an error or {@link #cancel()} (Ctrl-C)
 * leaves no half-written model. Text files and the stand-in ONNX models come from a template directory (the
 * fixture model), with only the sizes changed.
 */
public final class SyntheticModelWriter {
    /** Files copied unchanged from the template. */
    static final List<String> COPIED = List.of("campplus.onnx", "speech_tokenizer_v3.onnx",
            "CosyVoice-BlankEN/generation_config.json", "CosyVoice-BlankEN/vocab.json",
            "CosyVoice-BlankEN/merges.txt", "CosyVoice-BlankEN/tokenizer_config.json");
    static final String YAML = "cosyvoice3.yaml", QWEN_CONFIG = "CosyVoice-BlankEN/config.json",
            SAFETENSORS_STUB = "CosyVoice-BlankEN/model.safetensors", NOTE = "SYNTHETIC-MODEL.txt";
    /** Present while a DIR.tmp is being written; lets a later run recognise and remove a stale one. */
    static final String IN_PROGRESS_MARKER = ".cosyvoice4j-synthetic-in-progress";

    /**
     * What to write. {@code configName} is only recorded (yaml header, note). {@code cv2FlowOrNull}: the flow of a
     * CosyVoice2 model ({@code config.family()} COSYVOICE2, template a CosyVoice2 directory), null for CosyVoice3.
     */
    public record Options(Path outDir, ModelConfig config, String configName, long seed, Path templateDir, boolean force,
                          Cv2FlowConfig cv2FlowOrNull) {
        public Options(Path outDir, ModelConfig config, String configName, long seed, Path templateDir, boolean force) {
            this(outDir, config, configName, seed, templateDir, force, null);
        }

        public Options {
            if ((config.family() == ModelFamily.COSYVOICE2) != (cv2FlowOrNull != null)) {
                throw new IllegalArgumentException("a CosyVoice2 model needs its flow config (and only a CosyVoice2 model has one)");
            }
        }
    }

    /** The files copied unchanged from a template of {@code family}. */
    static List<String> copied(ModelFamily family) {
        return COPIED.stream().map(f -> f.equals("speech_tokenizer_v3.onnx") ? family.speechTokenizerFile() : f).toList();
    }

    /** What was written: per checkpoint file its parameter count and bytes. */
    public record Result(Path dir, Map<String, Long> params, Map<String, Long> bytes, long elapsedNanos) {
        public long totalBytes() { return bytes.values().stream().mapToLong(Long::longValue).sum(); }
    }

    /** Progress of the weight bytes (the only slow part). */
    public interface Progress {
        void begin(long totalBytes);
        void file(String name, long bytes);
        void advance(long bytes);
        void end();

        Progress NONE = new Progress() {
            public void begin(long totalBytes) {}
            public void file(String name, long bytes) {}
            public void advance(long bytes) {}
            public void end() {}
        };
    }

    private final AtomicBoolean cancelled = new AtomicBoolean();

    /** Makes a running {@link #write} stop at the next 4 MiB chunk and clean up (safe from any thread). */
    public void cancel() { cancelled.set(true); }

    /** The weight files in writing order: name -> specs. */
    public static Map<String, List<TensorSpec>> checkpoints(ModelConfig c) { return checkpoints(c, null); }

    /** The same; a CosyVoice2 model's flow.pt from {@link Cv2SyntheticLayout} with {@code cv2Flow}. */
    public static Map<String, List<TensorSpec>> checkpoints(ModelConfig c, Cv2FlowConfig cv2Flow) {
        Map<String, List<TensorSpec>> m = new LinkedHashMap<>();
        m.put("llm.pt", SyntheticLayout.llm(c));
        m.put("flow.pt", cv2Flow != null ? Cv2SyntheticLayout.flow(cv2Flow) : SyntheticLayout.flow(c));
        m.put("hift.pt", SyntheticLayout.hift(c));
        return m;
    }

    public Result write(Options o, Progress progress) throws IOException {
        long t0 = System.nanoTime();
        Path out = o.outDir().toAbsolutePath().normalize();
        Path template = o.templateDir().toAbsolutePath().normalize();
        checkTemplate(template, o.config().family());
        if (Files.exists(out) && !o.force()) {
            throw new IllegalArgumentException("--out: " + out + " already exists (choose another directory or use --force to replace it)");
        }
        if (out.getParent() == null) throw new IllegalArgumentException("--out: " + out + " has no parent directory");
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        if (Files.exists(tmp)) {
            if (!Files.exists(tmp.resolve(IN_PROGRESS_MARKER))) {
                throw new IllegalArgumentException(tmp + " exists and was not left by make-synthetic; remove it first");
            }
            deleteRecursively(tmp);
        }
        Map<String, List<TensorSpec>> files = checkpoints(o.config(), o.cv2FlowOrNull());
        Map<String, Long> params = new LinkedHashMap<>(), bytes = new LinkedHashMap<>();
        files.forEach((name, specs) -> {
            params.put(name, SyntheticLayout.parameterCount(specs));
            bytes.put(name, SyntheticLayout.storedBytes(specs));
        });
        if (o.configName().equals(SyntheticPresets.FUN_COSYVOICE3_0_5B)) checkRealCounts(params);
        boolean ok = false;
        try {
            Files.createDirectories(tmp.resolve("CosyVoice-BlankEN"));
            Files.writeString(tmp.resolve(IN_PROGRESS_MARKER), "make-synthetic " + Instant.now() + "\n");
            WeightGenerator gen = new WeightGenerator(o.seed());
            progress.begin(bytes.values().stream().mapToLong(Long::longValue).sum());
            for (Map.Entry<String, List<TensorSpec>> f : files.entrySet()) {
                progress.file(f.getKey(), bytes.get(f.getKey()));
                List<PtWriter.Entry> entries = new ArrayList<>();
                for (TensorSpec s : f.getValue()) {
                    if (s.init() instanceof Init.Tied(String target)) {
                        entries.add(PtWriter.Entry.tied(s.name(), target, DType.F32, s.shape()));
                    } else {
                        entries.add(new PtWriter.Entry(s.name(), DType.F32, s.shape(),
                                gen.source(s, progress::advance, cancelled::get)));
                    }
                }
                PtWriter.write(tmp.resolve(f.getKey()), entries);
                readableByAll(tmp.resolve(f.getKey())); // PtWriter's temp file is created owner-only
            }
            progress.end();
            checkCancelled();
            writeTextFiles(o, template, tmp, params);
            for (String c : copied(o.config().family())) Files.copy(template.resolve(c), tmp.resolve(c));
            for (String c : copied(o.config().family())) tmp.resolve(c).toFile().setWritable(true, true); // template files may be read-only
            Files.delete(tmp.resolve(IN_PROGRESS_MARKER));
            checkCancelled();
            publish(tmp, out);
            ok = true;
        } finally {
            if (!ok) deleteRecursively(tmp);
        }
        return new Result(out, params, bytes, System.nanoTime() - t0);
    }

    /** The real preset must reproduce the real checkpoints' parameter counts exactly (else the layout is wrong). */
    static void checkRealCounts(Map<String, Long> params) {
        Map<String, Long> real = Map.of("llm.pt", SyntheticPresets.REAL_LLM_PARAMS, "flow.pt", SyntheticPresets.REAL_FLOW_PARAMS,
                "hift.pt", SyntheticPresets.REAL_HIFT_PARAMS);
        if (!params.equals(real)) {
            throw new IllegalStateException("synthetic layout gives parameter counts " + params + ", the real checkpoints have " + real);
        }
    }

    private void checkCancelled() throws InterruptedIOException {
        if (cancelled.get()) throw new InterruptedIOException("cancelled");
    }

    private static void checkTemplate(Path template, ModelFamily family) {
        List<String> need = new ArrayList<>(copied(family));
        need.add(family.yamlFile());
        need.add(QWEN_CONFIG);
        for (String n : need) {
            if (!Files.isRegularFile(template.resolve(n))) {
                throw new IllegalArgumentException("--template: " + template + " lacks " + n
                        + " (it must be a " + family.displayName() + " model directory in the official layout, e.g. the fixture model"
                        + " src/test/resources/fixtures/" + (family == ModelFamily.COSYVOICE2 ? "cosyvoice2-tiny" : "cosyvoice3-tiny") + ")");
            }
        }
    }

    private static void writeTextFiles(Options o, Path template, Path tmp, Map<String, Long> params) throws IOException {
        ModelConfig c = o.config();
        Cv2FlowConfig f = o.cv2FlowOrNull();
        List<String> header = f != null ? List.of(
                "Synthetic random-weight CosyVoice2 model written by cosyvoice4j make-synthetic",
                "(config " + o.configName() + ", seed " + o.seed() + "); NOT a trained model: the audio is noise.",
                "Identical to examples/libritts/cosyvoice2/conf/cosyvoice2.yaml except for sizes:",
                "  llm_input/output_size " + c.llm().llmInputSize() + "; encoder attention_heads/linear_units/num_blocks "
                        + f.encoderAttentionHeads() + "/" + f.encoderLinearUnits() + "/" + f.encoderNumBlocks() + ";",
                "  estimator channels " + f.channels() + ", attention_head_dim " + f.attentionHeadDim() + ", n_blocks " + f.nBlocks()
                        + ", num_mid_blocks " + f.numMidBlocks() + ", num_heads " + f.numHeads() + ";",
                "  HiFT base_channels " + c.hift().baseChannels() + ", f0 cond_channels " + c.hift().f0CondChannels() + ".",
                "The Qwen2 sizes live in CosyVoice-BlankEN/config.json, as in the real model.") : List.of(
                "Synthetic random-weight Fun-CosyVoice3 model written by cosyvoice4j make-synthetic",
                "(config " + o.configName() + ", seed " + o.seed() + "); NOT a trained model: the audio is noise.",
                "Identical to examples/libritts/cosyvoice3/conf/cosyvoice3.yaml except for sizes:",
                "  llm_input/output_size " + c.llm().llmInputSize() + "; PreLookaheadLayer channels " + c.flow().preLookaheadChannels() + ";",
                "  DiT dim/depth/heads/dim_head/ff_mult " + c.flow().ditDim() + "/" + c.flow().ditDepth() + "/" + c.flow().ditHeads()
                        + "/" + c.flow().ditDimHead() + "/" + c.flow().ditFfMult() + ";",
                "  HiFT base_channels " + c.hift().baseChannels() + ", f0 cond_channels " + c.hift().f0CondChannels() + ".",
                "The Qwen2 sizes live in CosyVoice-BlankEN/config.json, as in the real model.");
        String yaml = c.family().yamlFile();
        Path yamlTemplate = template.resolve(yaml);
        Files.writeString(tmp.resolve(yaml), ConfigFiles.yaml(Files.readString(yamlTemplate), yamlTemplate, c, f, header));
        Path qwenTemplate = template.resolve(QWEN_CONFIG);
        Files.writeString(tmp.resolve(QWEN_CONFIG), ConfigFiles.qwen2ConfigJson(Files.readString(qwenTemplate), qwenTemplate, c.qwen2()));
        ConfigFiles.writeSafetensorsStub(tmp.resolve(SAFETENSORS_STUB), c.qwen2().hiddenSize());
        Files.writeString(tmp.resolve(NOTE), note(o, params), StandardCharsets.UTF_8);
    }

    static String note(Options o, Map<String, Long> params) {
        StringBuilder b = new StringBuilder();
        b.append("Synthetic ").append(o.config().family().displayName()).append(" model (cosyvoice4j make-synthetic)\n\n");
        b.append("config: ").append(o.configName()).append("\nseed:   ").append(o.seed()).append('\n');
        b.append("parameters: ");
        params.forEach((k, v) -> b.append(k).append(' ').append(String.format("%,d", v)).append("  "));
        b.append("\n\n");
        b.append("""
                Random weights, official key names and shapes, float32, written with the fixtures' recipe:
                Linear/Conv ~ N(0, 1/fan_in), biases ~ N(0, 0.05), norm weights 1 + N(0, 0.1), Snake alpha
                U(0.5, 1.5), embeddings N(0, 1) (Qwen embed_tokens N(0, 0.5)), weight-norm g = ||v|| * U(0.6, 1.4)
                (conv_post: 0.035 * ||v||, magnitude bias -1; f0 classifier bias -200) — normals are a bounded
                Irwin-Hall approximation from a counter-based splitmix64 stream. lm_head is tied to embed_tokens.
                Use it to benchmark speed and memory; its audio is meaningless.

                Not in this directory (as in the real model, they are not in any checkpoint):
                - the flow's initial noise: CausalConditionalCFM draws rand_noise = torch.randn(1, 80, 15000) after
                  torch.manual_seed(0) at construction; it is the same for every model size, so the engine's copy
                  for the real model applies here too (fixtures README section 5.2);
                - the HiFT source buffers (rand_ini, sine_waves, uv): the engine regenerates them (section 5.3).
                campplus.onnx and speech_tokenizer_v3.onnx are the fixtures' small stand-ins (real I/O contract,
                negligible cost), and CosyVoice-BlankEN holds the fixtures' tokenizer files (README section 3.3).
                """);
        return b.toString();
    }

    /** Moves the finished tmp dir into place; with --force the old directory is replaced. */
    private static void publish(Path tmp, Path out) throws IOException {
        if (!Files.exists(out)) {
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        Path old = out.resolveSibling(out.getFileName() + ".old-" + ProcessHandle.current().pid());
        Files.move(out, old, StandardCopyOption.ATOMIC_MOVE);
        Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
        deleteRecursively(old);
    }

    private static void readableByAll(Path f) throws IOException {
        try {
            Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException notPosix) {
            // keep the default
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                    Files.delete(f);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    if (e != null) throw e;
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

}
