package dev.cosyvoice4j.bench.server;

import dev.cosyvoice4j.bench.BenchEnvironment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything one {@code bench --server} run reports; written as {@code bench.md}, {@code bench.json} and
 * {@code bench-server.svg}, the layout of the in-process bench ({@code environment} is the client's machine).
 */
public record ServerLoadReport(BenchEnvironment environment, ServerLoadConfig config, ServerInfo server,
                               List<ServerLevelResult> levels) {
    public static final String SCHEMA = "cosyvoice4j-bench-server/1";
    public static final String MARKDOWN = "bench.md", JSON = "bench.json", SVG = "bench-server.svg";
    /** How many distinct error messages each level lists. */
    static final int ERRORS_SHOWN = 5;

    public ServerLoadReport {
        levels = List.copyOf(levels);
        if (levels.isEmpty()) throw new IllegalArgumentException("a report needs at least one concurrency level");
    }

    /** Writes the three files into {@code dir} (created if needed); returns their paths. */
    public List<Path> writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path md = dir.resolve(MARKDOWN), json = dir.resolve(JSON), svg = dir.resolve(SVG);
        Files.writeString(md, ServerMarkdownReport.write(this, SVG));
        Files.writeString(json, ServerJsonReport.write(this));
        Files.writeString(svg, ServerSvgChart.write(this));
        return List.of(md, json, svg);
    }
}
