package dev.cosyvoice4j.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * llama-bench style parameter grids: every list option takes comma-separated values and the runs are the
 * cartesian product, setups outermost (backend, precision, threads: one model load each) and cases inside
 * (stream, tokens). Duplicates are dropped, order is kept.
 */
public final class BenchGrid {
    /** One run of the grid. */
    public record Point(BenchSetup setup, BenchCase benchCase) {}

    private BenchGrid() {}

    /** "1,2,4" -> [1, 2, 4]; each value must be >= min. */
    public static List<Integer> ints(String option, String list, int min) {
        return parse(option, list, v -> {
            int x;
            try {
                x = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + ": '" + v + "' is not an integer");
            }
            if (x < min) throw new IllegalArgumentException(option + ": " + x + " is below the minimum " + min);
            return x;
        });
    }

    /** "on,off" -> [true, false] (also true/false, yes/no, 1/0). */
    public static List<Boolean> onOff(String option, String list) {
        return parse(option, list, v -> switch (v.toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes", "1" -> true;
            case "off", "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException(option + ": '" + v + "' is not on or off");
        });
    }

    /** "cpu,cuda" -> [cpu, cuda]. */
    public static List<String> strings(String option, String list) { return parse(option, list, v -> v); }

    private static <T> List<T> parse(String option, String list, Function<String, T> f) {
        if (list == null || list.isBlank()) throw new IllegalArgumentException(option + ": empty list");
        LinkedHashSet<T> out = new LinkedHashSet<>();
        for (String part : list.split(",", -1)) {
            String v = part.trim();
            if (v.isEmpty()) throw new IllegalArgumentException(option + ": empty value in '" + list + "'");
            out.add(f.apply(v));
        }
        return List.copyOf(out);
    }

    /** {@link #expand(Path, List, List, List, String, Path, String, List, List, long)} with {@code --speaker new} and the default stream cache. */
    public static List<Point> expand(Path model, List<String> backends, List<String> precisions, List<Integer> threads,
                                     String text, Path promptWav, String promptText, List<Boolean> streams,
                                     List<Integer> tokens, long seed) {
        return expand(model, backends, precisions, threads, List.of("on"), text, promptWav, promptText, streams, tokens,
                List.of(BenchCase.NEW_SPEAKER), seed);
    }

    /** {@link #expand(Path, List, List, List, List, List, String, Path, String, List, List, List, long)} with the default first chunk (auto). */
    public static List<Point> expand(Path model, List<String> backends, List<String> precisions, List<Integer> threads,
                                     List<String> streamCaches, String text, Path promptWav, String promptText,
                                     List<Boolean> streams, List<Integer> tokens, List<String> speakers, long seed) {
        return expand(model, backends, precisions, threads, streamCaches, List.of("auto"), text, promptWav, promptText,
                streams, tokens, speakers, seed);
    }

    /** The cartesian product, setup-major (stream-cache and first-chunk modes are setups: one load each). */
    public static List<Point> expand(Path model, List<String> backends, List<String> precisions, List<Integer> threads,
                                     List<String> streamCaches, List<String> firstChunks, String text, Path promptWav,
                                     String promptText, List<Boolean> streams, List<Integer> tokens, List<String> speakers,
                                     long seed) {
        List<Point> points = new ArrayList<>();
        for (String b : backends) {
            for (String p : precisions) {
                for (int t : threads) {
                    for (String sc : streamCaches) {
                        for (String fc : firstChunks) {
                            BenchSetup setup = new BenchSetup(model, t, b, p, null, sc, fc);
                            for (boolean s : streams) {
                                for (int n : tokens) {
                                    for (String sp : speakers) {
                                        points.add(new Point(setup, new BenchCase(text, promptWav, promptText, s, n, seed, sp)));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return points;
    }
}
