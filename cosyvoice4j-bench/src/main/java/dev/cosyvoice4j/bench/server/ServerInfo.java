package dev.cosyvoice4j.bench.server;

import java.util.List;

/** What the server said about itself before the run: its {@code /health} answer and {@code /v1/models} ids (empty if unknown). */
public record ServerInfo(String health, List<String> models) {
    public ServerInfo {
        models = List.copyOf(models);
    }
}
