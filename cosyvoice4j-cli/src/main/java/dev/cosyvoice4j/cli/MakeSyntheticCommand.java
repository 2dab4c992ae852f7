package dev.cosyvoice4j.cli;

import dev.cosyvoice4j.synthetic.ConsoleProgress;
import dev.cosyvoice4j.synthetic.SyntheticModelWriter;
import dev.cosyvoice4j.synthetic.SyntheticPresets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code make-synthetic}: a random-weight model directory with the real (or tiny) sizes, for benchmarks. */
@Command(name = "make-synthetic", mixinStandardHelpOptions = true,
        description = {"Write a model directory in the official layout with seeded random weights (float32).",
                "With the default config it has exactly the real Fun-CosyVoice3-0.5B shapes and parameter counts",
                "(llm 506,148,480 / flow 332,257,088 / hift 20,779,887; about 3.4 GB), so speed and memory can be",
                "measured without the real checkpoint. The audio it makes is noise.",
                "--family cosyvoice2 writes a CosyVoice2-0.5B directory instead (cosyvoice2.yaml, Qwen2LM, the Conformer +",
                "U-Net flow, the non-causal HiFT; config cosyvoice2-0.5b, or tiny for the CosyVoice2 fixture's sizes)."},
        footer = {"", "Examples:",
                "  cosyvoice4j make-synthetic --out /tmp/cv3-synthetic",
                "  cosyvoice4j make-synthetic --out /tmp/cv3-tiny --config tiny --seed 7",
                "  cosyvoice4j make-synthetic --family cosyvoice2 --out /tmp/cv2-synthetic"})
public final class MakeSyntheticCommand implements Callable<Integer> {
    static final String TEMPLATE_RELATIVE = "src/test/resources/fixtures/cosyvoice3-tiny";
    static final String COSYVOICE2_TEMPLATE_RELATIVE = "src/test/resources/fixtures/cosyvoice2-tiny";

    @Option(names = "--family", defaultValue = "cosyvoice3",
            description = "Model family: cosyvoice3 (default, Fun-CosyVoice3-0.5B) or cosyvoice2 (CosyVoice2-0.5B).")
    String family;

    @Option(names = "--out", required = true, description = "Model directory to create (written as DIR.tmp, then renamed).")
    Path out;

    @Option(names = "--config", description = "Model sizes: fun-cosyvoice3-0.5b (default) or tiny (the fixture model's sizes);"
            + " for --family cosyvoice2: cosyvoice2-0.5b (default) or tiny.")
    String config;

    @Option(names = "--seed", defaultValue = "20251124", description = "Seed of the weights (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--template", description = "Model directory whose yaml, config.json, tokenizer and stand-in ONNX files are used"
            + " (default: " + TEMPLATE_RELATIVE + " of the project).")
    Path template;

    @Option(names = "--force", description = "Replace --out if it exists.")
    boolean force;

    @Override
    public Integer call() throws IOException {
        dev.cosyvoice4j.config.ModelFamily fam;
        try {
            fam = dev.cosyvoice4j.config.ModelFamily.ofId(family);
        } catch (IllegalArgumentException e) {
            throw new UserException("--family: " + e.getMessage());
        }
        boolean cv2 = fam == dev.cosyvoice4j.config.ModelFamily.COSYVOICE2;
        if (config == null) config = cv2 ? SyntheticPresets.COSYVOICE2_0_5B : SyntheticPresets.FUN_COSYVOICE3_0_5B;
        if (cv2 && config.equals(SyntheticPresets.TINY)) config = SyntheticPresets.COSYVOICE2_TINY;
        var modelConfig = SyntheticPresets.byName(config);
        if (modelConfig.family() != fam) {
            throw new UserException("--config " + config + " is a " + modelConfig.family().id() + " config, not " + fam.id());
        }
        Path templateDir = template != null ? template : defaultTemplate(cv2 ? COSYVOICE2_TEMPLATE_RELATIVE : TEMPLATE_RELATIVE);
        SyntheticModelWriter writer = new SyntheticModelWriter();
        boolean tty = System.console() != null;
        CountDownLatch finished = new CountDownLatch(1);
        // Ctrl-C: stop at the next chunk and let write() remove DIR.tmp before the JVM exits
        Thread hook = new Thread(() -> {
            writer.cancel();
            try { finished.await(30, TimeUnit.SECONDS); } catch (InterruptedException ignored) { Thread.currentThread().interrupt(); }
        }, "make-synthetic-cancel");
        Runtime.getRuntime().addShutdownHook(hook);
        SyntheticModelWriter.Result r;
        try {
            System.out.println("make-synthetic: " + config + " (seed " + seed + ") -> " + out.toAbsolutePath().normalize());
            r = writer.write(new SyntheticModelWriter.Options(out, modelConfig, config, seed, templateDir, force,
                            SyntheticPresets.cosyVoice2Flow(config)),
                    new ConsoleProgress(System.out, tty));
        } finally {
            finished.countDown();
            try { Runtime.getRuntime().removeShutdownHook(hook); } catch (IllegalStateException shuttingDown) { /* hook is running */ }
        }
        double s = r.elapsedNanos() / 1e9;
        r.params().forEach((f, n) -> System.out.printf(Locale.ROOT, "  %-8s %,15d parameters  %6.2f GB%n", f, n, r.bytes().get(f) / 1e9));
        System.out.printf(Locale.ROOT, "wrote %s: %.2f GB in %.1f s (%.1f GB/min)%n", r.dir(), r.totalBytes() / 1e9, s, r.totalBytes() / 1e9 / s * 60);
        return 0;
    }

    /** The fixture model of this project: under the working directory, or above the running classes. */
    static Path defaultTemplate() { return defaultTemplate(TEMPLATE_RELATIVE); }

    static Path defaultTemplate(String relative) {
        Path p = ProjectFiles.find(relative);
        if (p == null || !Files.isDirectory(p)) {
            throw new UserException("--template: no fixture model found at " + relative
                    + " (run from the project root or pass --template DIR)");
        }
        return p;
    }
}
