package dev.cosyvoice4j.cli;

import dev.cosyvoice4j.text.Qwen2Tokenizer;
import dev.cosyvoice4j.text.TextFrontend;
import dev.cosyvoice4j.text.normalize.WeTextNormalizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code normalize}: what the engine will speak for a text, after text normalisation (and, asked, the segments). */
@Command(name = "normalize", mixinStandardHelpOptions = true,
        description = {"Print what the engine speaks for each text: numbers, dates, money, units and symbols written out",
                "as the official frontend does (wetext's grammars, in Java). One output line per input; with --segments,",
                "the sentence segments synthesised one after the other (needs the model's tokenizer: --model).",
                "",
                "  cosyvoice4j normalize '2024年3月5日，气温25°C。' 'It costs $3.5M, 3.5% more.'",
                "  cosyvoice4j normalize --file texts.txt --segments --model DIR"})
public final class NormalizeCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "TEXT", description = "Texts to normalise (or --file).")
    List<String> texts = new ArrayList<>();

    @Option(names = "--file", description = "Normalise every line of this UTF-8 file.")
    Path file;

    @Option(names = "--segments", description = "Also print the segments as synthesised (indented), as the engine splits them.")
    boolean segments;

    @Option(names = "--model", description = "Model directory or id whose tokenizer measures the segments (only with --segments; default "
            + ModelLocator.DEFAULT_MODEL + ").")
    String model;

    @picocli.CommandLine.Mixin
    HubFlags hubFlags = new HubFlags();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        List<String> inputs = new ArrayList<>(texts);
        if (file != null) {
            if (!Files.isRegularFile(file)) throw new UserException("--file: no such file: " + file);
            inputs.addAll(Files.readAllLines(file, StandardCharsets.UTF_8));
        }
        if (inputs.isEmpty()) throw new UserException("give texts to normalise, or --file F");
        if (model != null && !segments) throw new UserException("--model is only needed with --segments");
        WeTextNormalizer normalizer = new WeTextNormalizer();
        TextFrontend frontend = segments
                ? new TextFrontend(Qwen2Tokenizer.forModelDir(hubFlags.locator(false).resolve(model != null ? model : ModelLocator.DEFAULT_MODEL)), normalizer)
                : TextFrontend.normalizerOnly(normalizer);
        PrintWriter out = spec.commandLine().getOut();
        for (String in : inputs) {
            out.println(frontend.normalize(in, true));
            if (segments) for (String s : frontend.segments(in, true)) out.println("  " + s);
        }
        out.flush();
        return 0;
    }
}
