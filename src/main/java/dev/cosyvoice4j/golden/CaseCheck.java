package dev.cosyvoice4j.golden;

import dev.cosyvoice4j.io.Npy;
import dev.cosyvoice4j.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Collects the comparisons of one golden case. Stage code calls {@link #compare} / {@link #compareIds} for
 * every output it reproduces; a failed comparison writes the actual tensor to the dump directory (when one
 * is set) as {@code <dump>/<case id>/<name>.npy} for inspection.
 */
public final class CaseCheck {
    private final GoldenCase goldenCase;
    private final Path dumpDir;
    private final List<Comparison> comparisons = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    public CaseCheck(GoldenCase goldenCase, Path dumpDirOrNull) {
        this.goldenCase = goldenCase;
        this.dumpDir = dumpDirOrNull;
    }

    public GoldenCase goldenCase() { return goldenCase; }

    /** Compares a float result against the golden output {@code outputName} with that output's tolerance. */
    public Comparison compare(String outputName, float[] actual, long... actualShape) {
        return compare(outputName, actual, actualShape, goldenCase.outputTensor(outputName), goldenCase.toleranceFor(outputName));
    }

    /** Compares a float result against a given golden tensor and tolerance. */
    public Comparison compare(String name, float[] actual, long[] actualShape, Tensor golden, Tolerance tol) {
        if (!golden.hasShape(actualShape) && golden.numel() != actual.length) {
            fail(name + ": shape " + Arrays.toString(actualShape) + " != golden " + Arrays.toString(golden.shape()));
            dump(name, actual, actualShape);
            return null;
        }
        if (actual.length != golden.numel()) {
            fail(name + ": " + actual.length + " values for shape " + Arrays.toString(golden.shape()));
            return null;
        }
        Comparison c = Comparison.of(name, actual, golden.toFloatArray(), tol);
        comparisons.add(c);
        if (!c.passed()) {
            failures.add(c.describe());
            dump(name, actual, actualShape);
        }
        return c;
    }

    /** Exact comparison of integer ids (tokens, chunk lengths, text ids). */
    public void compareIds(String name, long[] actual, long[] expected) {
        if (!Arrays.equals(actual, expected)) {
            int first = Arrays.mismatch(actual, expected);
            fail(name + ": ids differ at index " + first + " (actual " + (first < actual.length ? actual[first] : "<end>")
                    + ", golden " + (first < expected.length ? expected[first] : "<end>") + "; lengths "
                    + actual.length + " vs " + expected.length + ")");
        } else {
            comparisons.add(new Comparison(name, 0, 0, 1, 0, 0, 0, true));
        }
    }

    public void compareIds(String name, int[] actual, int[] expected) {
        compareIds(name, Arrays.stream(actual).asLongStream().toArray(), Arrays.stream(expected).asLongStream().toArray());
    }

    /** Exact comparison of scalars or strings. */
    public void compareExact(String name, Object actual, Object expected) {
        if (!java.util.Objects.equals(actual, expected)) fail(name + ": actual " + actual + ", golden " + expected);
        else comparisons.add(new Comparison(name, 0, 0, 1, 0, 0, 0, true));
    }

    /** Compares a scalar under an absolute bound. */
    public void compareScalar(String name, double actual, double expected, double maxAbs) {
        double d = Math.abs(actual - expected);
        Comparison c = new Comparison(name, d, expected == 0 ? d : d / Math.abs(expected), 1, 0, actual, expected, d <= maxAbs);
        comparisons.add(c);
        if (!c.passed()) failures.add(c.describe());
    }

    public void fail(String message) { failures.add(message); }

    public boolean passed() { return failures.isEmpty(); }

    public List<String> failures() { return List.copyOf(failures); }

    public List<Comparison> comparisons() { return List.copyOf(comparisons); }

    /** The comparison with the largest max_abs (for the one-line summary). */
    public Comparison worst() {
        Comparison w = null;
        for (Comparison c : comparisons) if (w == null || !(c.maxAbs() <= w.maxAbs())) w = c;
        return w;
    }

    private void dump(String name, float[] actual, long[] shape) {
        if (dumpDir == null) return;
        try {
            long[] s = Tensor.numel(shape) == actual.length ? shape : new long[] {actual.length};
            Path f = dumpDir.resolve(goldenCase.id()).resolve(name.replaceAll("[^A-Za-z0-9_.-]", "_") + ".npy");
            Npy.write(f, Tensor.of(actual, s));
            failures.add("  actual " + name + " written to " + f);
        } catch (IOException e) {
            failures.add("  could not write actual " + name + ": " + e.getMessage());
        }
    }
}
