package dev.cosyvoice4j.text.normalize.zh;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The zh acceptance set (WeTextProcessing's tn/chinese/test/data files, copied verbatim under
 * src/test/resources/textnorm-cases/, see its SOURCE.md) and the two tables kept next to this test:
 * adaptations.tsv (expectations that depend on options CosyVoice does not use) and known-failures.tsv.
 */
final class ZhCaseFiles {
    private ZhCaseFiles() {}

    static final Path ROOT = Path.of("src/test/resources/textnorm-cases");

    /** Every zh case file, relative to {@link #ROOT}. */
    static final List<String> FILES = List.of(
            "wetextprocessing-1.0.3/tn/chinese/test/data/cardinal.txt",
            "wetextprocessing-1.0.3/tn/chinese/test/data/char.txt",
            "wetextprocessing-1.0.3/tn/chinese/test/data/date.txt",
            "wetextprocessing-1.0.3/tn/chinese/test/data/fraction.txt",
            "wetextprocessing-1.0.3/tn/chinese/test/data/math.txt",
            "wetextprocessing-1.0.3/tn/chinese/test/data/measure.txt",
            "wetextprocessing-1.0.3/tn/chinese/test/data/money.txt",
            "wetextprocessing-1.0.3/tn/chinese/test/data/normalizer.txt",
            "wetextprocessing-1.0.3/tn/chinese/test/data/number.txt",
            "wetextprocessing-1.0.3/tn/chinese/test/data/postprocessor.txt",
            "wetextprocessing-1.0.3/tn/chinese/test/data/preprocessor.txt",
            "wetextprocessing-1.0.3/tn/chinese/test/data/sport.txt",
            "wetextprocessing-1.0.3/tn/chinese/test/data/time.txt",
            "wetextprocessing-1.0.3/tn/chinese/test/data/whitelist.txt",
            "wetextprocessing-039007e/tn/chinese/test/data/normalizer.txt",
            "wetextprocessing-039007e/tn/chinese/test/data/normalizer_tag_oov.txt");

    record Case(String file, String written, String spoken) {}

    /** tn/chinese/test/utils.py parse_test_case: split on "=>", both sides stripped, a missing right side is "". */
    static List<Case> read(String file) {
        List<Case> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(ROOT.resolve(file), StandardCharsets.UTF_8)) {
                if (!line.contains("=>")) throw new IllegalStateException(file + ": no => in " + line);
                String[] arr = line.strip().split("=>", -1);
                out.add(new Case(file, arr[0].strip(), arr.length > 1 ? arr[1].strip() : ""));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The harness each file was written for (SOURCE.md; the *_test.py of WeTextProcessing). */
    static String harness(String file) {
        String name = file.substring(file.lastIndexOf('/') + 1);
        return switch (name) {
            case "number.txt" -> "number";          // Cardinal().number
            case "measure.txt" -> "measure";        // Measure().normalize
            case "sport.txt" -> "sport";            // Sport().normalize
            case "postprocessor.txt", "preprocessor.txt" -> "processor"; // PostProcessor / PreProcessor
            default -> "normalizer";                // Normalizer(...).normalize
        };
    }

    /** Runs one case through its harness with the given options. */
    static String run(ChineseNormalizer normalizer, String harness, String written) {
        return switch (harness) {
            case "number" -> ChineseNormalizer.readNumber(written);
            case "measure", "sport" -> normalizer.normalizeWithClass(harness, written);
            case "processor" -> normalizer.postProcess(written);
            default -> normalizer.normalize(written);
        };
    }

    /** A tab-separated table of this package's test resources, "#" comments and the header line skipped. */
    static List<String[]> table(String name, int columns) {
        List<String[]> rows = new ArrayList<>();
        try (InputStream is = ZhCaseFiles.class.getResourceAsStream(name)) {
            if (is == null) throw new IllegalStateException("missing " + name);
            String[] lines = new String(is.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            boolean header = true;
            for (String line : lines) {
                if (line.isEmpty() || line.startsWith("#")) continue;
                if (header) {
                    header = false;
                    continue;
                }
                String[] f = line.split("\t", -1);
                if (f.length != columns) throw new IllegalStateException(name + ": bad row " + line);
                rows.add(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    static String key(String file, String input) {
        return file + "\u0000" + input;
    }

    /** adaptations.tsv: (file, input) → row [file, input, original, adapted, why]. */
    static Map<String, String[]> adaptations() {
        Map<String, String[]> m = new LinkedHashMap<>();
        for (String[] r : table("adaptations.tsv", 5)) m.put(key(r[0], r[1]), r);
        return m;
    }

    /** known-failures.tsv: (file, input) → reason. */
    static Map<String, String> knownFailures() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String[] r : table("known-failures.tsv", 3)) m.put(key(r[0], r[1]), r[2]);
        return m;
    }
}
