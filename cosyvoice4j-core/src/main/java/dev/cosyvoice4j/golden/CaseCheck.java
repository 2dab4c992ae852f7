package dev.cosyvoice4j.golden;

import dev.cosyvoice4j.io.Npy;
import dev.cosyvoice4j.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Collects the comparisons of one golden case, one {@link Comparison} per recorded output the stage reproduces
 * (passed or not, so {@code verify -v} can print each). With a dump directory, actual tensors are written as
 * {@code <dump>/<case id>/<name>.npy}: every output under {@link Dump#ALL} ({@code verify --dump}), the failing ones
 * under {@link Dump#FAILURES} (the test suite).
 */
public final class CaseCheck {
    /** Which actual outputs are written to the dump directory. */
    public enum Dump { NONE, FAILURES, ALL }

    private final GoldenCase goldenCase;
    private final Path dumpDir;
    private final Dump dump;
    private final List<Comparison> comparisons = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    public CaseCheck(GoldenCase goldenCase, Path dumpDirOrNull, Dump dump) {
        this.goldenCase = goldenCase;
        this.dumpDir = dumpDirOrNull;
        this.dump = dumpDirOrNull == null ? Dump.NONE : dump;
    }

    public GoldenCase goldenCase() { return goldenCase; }

    /** Compares a float result against the golden output {@code outputName} with that output's tolerance. */
    public Comparison compare(String outputName, float[] actual, long... actualShape) {
        return compare(outputName, actual, actualShape, goldenCase.outputTensor(outputName), goldenCase.toleranceFor(outputName));
    }

    /** Compares a float result against a given golden tensor and tolerance. */
    public Comparison compare(String name, float[] actual, long[] actualShape, Tensor golden, Tolerance tol) {
        if (actual.length != golden.numel()) {
            Comparison c = Comparison.exact(name, false, "shape " + Arrays.toString(actualShape) + " ("
                    + actual.length + " values), golden " + Arrays.toString(golden.shape()));
            record(c, actual, actualShape);
            return c;
        }
        Comparison c = Comparison.of(name, actual, golden.toFloatArray(), tol);
        record(c, actual, actualShape);
        return c;
    }

    /** Exact comparison of integer ids (tokens, chunk lengths, text ids). */
    public void compareIds(String name, long[] actual, long[] expected) {
        boolean same = Arrays.equals(actual, expected);
        String detail = "";
        if (!same) {
            int first = Arrays.mismatch(actual, expected);
            detail = "at index " + first + " actual " + (first < actual.length ? actual[first] : "<end>")
                    + ", golden " + (first < expected.length ? expected[first] : "<end>") + "; lengths "
                    + actual.length + " vs " + expected.length;
        }
        Comparison c = Comparison.exact(name, same, detail);
        comparisons.add(c);
        if (!same) failures.add(c.describe());
        if (dump == Dump.ALL || !same && dump == Dump.FAILURES) write(name, Tensor.ofLongs(actual, actual.length));
    }

    public void compareIds(String name, int[] actual, int[] expected) {
        compareIds(name, Arrays.stream(actual).asLongStream().toArray(), Arrays.stream(expected).asLongStream().toArray());
    }

    /** Exact comparison of scalars or strings. */
    public void compareExact(String name, Object actual, Object expected) {
        boolean same = java.util.Objects.equals(actual, expected);
        Comparison c = Comparison.exact(name, same, "actual " + actual + ", golden " + expected);
        comparisons.add(c);
        if (!same) failures.add(c.describe());
    }

    /** Compares a scalar under an absolute bound. */
    public void compareScalar(String name, double actual, double expected, double maxAbs) {
        double d = Math.abs(actual - expected);
        Comparison c = new Comparison(name, d, expected == 0 ? d : d / Math.abs(expected), 1, 0, actual, expected,
                d <= maxAbs, String.format("max_abs<=%.3g", maxAbs));
        comparisons.add(c);
        if (!c.passed()) failures.add(c.describe());
    }

    public void fail(String message) { failures.add(message); }

    public boolean passed() { return failures.isEmpty(); }

    public List<String> failures() { return List.copyOf(failures); }

    /** Where actual tensors were written (for the verbose listing). */
    public List<String> notes() { return List.copyOf(notes); }

    public List<Comparison> comparisons() { return List.copyOf(comparisons); }

    /** The comparison with the largest max_abs (for the one-line summary). */
    public Comparison worst() {
        Comparison w = null;
        for (Comparison c : comparisons) if (w == null || !(c.maxAbs() <= w.maxAbs())) w = c;
        return w;
    }

    private void record(Comparison c, float[] actual, long[] shape) {
        comparisons.add(c);
        if (!c.passed()) failures.add(c.describe());
        if (dump == Dump.ALL || !c.passed() && dump == Dump.FAILURES) {
            write(c.name(), Tensor.of(actual, Tensor.numel(shape) == actual.length ? shape : new long[] {actual.length}));
        }
    }

    private void write(String name, Tensor t) {
        Path f = dumpDir.resolve(goldenCase.id()).resolve(name.replaceAll("[^A-Za-z0-9_.-]", "_") + ".npy");
        try {
            Npy.write(f, t);
            notes.add("actual " + name + " written to " + f);
        } catch (IOException | RuntimeException e) {
            failures.add("could not write actual " + name + " to " + f + ": " + e.getMessage());
        }
    }
}
