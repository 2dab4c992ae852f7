package dev.cosyvoice4j.text.normalize.zh;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The zh acceptance gate: every case of WeTextProcessing's Chinese test files (1.0.3 and 039007e) through the
 * harness it was written for, with CosyVoice's options; expectations that depend on options CosyVoice does not
 * use come from adaptations.tsv. Prints the pass rate per file; fails when a case outside known-failures.tsv
 * fails, when a known failure passes (remove it from the list), or when the pass rate drops under the ratchet.
 */
class ChineseNormalizerCasesTest {
    /** The pass rate reached (ratchet): raise it when cases are fixed, never lower it. */
    static final double RATCHET = 1.0;

    @Test
    void cosyVoiceOptionsWithAdaptedExpectations() {
        ChineseNormalizer normalizer = new ChineseNormalizer();
        Map<String, String[]> adaptations = ZhCaseFiles.adaptations();
        Map<String, String> known = ZhCaseFiles.knownFailures();
        Set<String> usedAdaptations = new HashSet<>();
        List<String> unexpected = new ArrayList<>();
        List<String> fixed = new ArrayList<>();
        int total = 0, passed = 0;
        System.out.println("zh TN cases, CosyVoice options (adapted expectations):");
        for (String file : ZhCaseFiles.FILES) {
            String harness = ZhCaseFiles.harness(file);
            int filePassed = 0;
            List<ZhCaseFiles.Case> cases = ZhCaseFiles.read(file);
            for (ZhCaseFiles.Case c : cases) {
                String key = ZhCaseFiles.key(file, c.written());
                String expected = c.spoken();
                String[] adaptation = adaptations.get(key);
                if (adaptation != null) {
                    assertEquals(c.spoken(), adaptation[2], "adaptations.tsv original column is stale for " + key);
                    expected = adaptation[3];
                    usedAdaptations.add(key);
                }
                String actual = run(normalizer, harness, c.written());
                boolean ok = expected.equals(actual);
                if (ok) filePassed++;
                String reason = known.get(key);
                if (!ok) {
                    System.out.printf("  FAIL %s [%s] %s => got %s, expected %s%s%n", shortName(file), harness,
                            c.written(), actual, expected, reason == null ? "" : " (known: " + reason + ")");
                    if (reason == null) unexpected.add(file + ": " + c.written() + " => " + actual + " != " + expected);
                } else if (reason != null) {
                    fixed.add(file + ": " + c.written());
                }
            }
            total += cases.size();
            passed += filePassed;
            System.out.printf("  %-60s %3d/%3d %6.1f%%%n", file, filePassed, cases.size(), 100.0 * filePassed / cases.size());
        }
        double rate = (double) passed / total;
        System.out.printf("  %-60s %3d/%3d %6.1f%%%n", "all zh", passed, total, 100.0 * rate);
        assertEquals(adaptations.keySet(), usedAdaptations, "adaptations.tsv rows that match no case");
        if (!unexpected.isEmpty()) fail("unexpected failures (fix, or add to known-failures.tsv with a reason):\n  "
                + String.join("\n  ", unexpected));
        if (!fixed.isEmpty()) fail("known failures that now pass (remove them from known-failures.tsv):\n  "
                + String.join("\n  ", fixed));
        assertTrue(rate >= RATCHET - 1e-12, "pass rate " + rate + " dropped under the ratchet " + RATCHET);
    }

    /**
     * The same files with WeTextProcessing's own test options (erhua/interjection removal, traditional→simplified,
     * full→half, tag_oov; no digit gate) against the original expectations: checks the option switches too.
     */
    @Test
    void weTextProcessingOptionsWithOriginalExpectations() {
        ChineseNormalizer normalizer = new ChineseNormalizer(ChineseNormalizer.Options.weTextProcessingTests());
        List<String> failures = new ArrayList<>();
        int total = 0;
        for (String file : ZhCaseFiles.FILES) {
            String harness = ZhCaseFiles.harness(file);
            for (ZhCaseFiles.Case c : ZhCaseFiles.read(file)) {
                total++;
                // preprocessor_test.py runs PreProcessor() alone: traditional→simplified only
                ChineseNormalizer n = file.endsWith("preprocessor.txt") ? new ChineseNormalizer(
                        new ChineseNormalizer.Options(false, true, false, false, false, false, false)) : normalizer;
                String actual = run(n, harness, c.written());
                if (!c.spoken().equals(actual)) failures.add(file + ": " + c.written() + " => " + actual + " != " + c.spoken());
            }
        }
        System.out.printf("zh TN cases, WeTextProcessing test options (original expectations): %d/%d%n",
                total - failures.size(), total);
        failures.forEach(f -> System.out.println("  FAIL " + f));
        assertTrue(failures.isEmpty(), "failures with WeTextProcessing's options:\n  " + String.join("\n  ", failures));
    }

    private static String run(ChineseNormalizer normalizer, String harness, String written) {
        try {
            return ZhCaseFiles.run(normalizer, harness, written);
        } catch (RuntimeException e) {
            return "<" + e + ">";
        }
    }

    private static String shortName(String file) {
        return file.replace("/tn/chinese/test/data/", "/");
    }
}
