package dev.cosyvoice4j.engine;

import dev.cosyvoice4j.frontend.PromptFeatures;
import dev.cosyvoice4j.io.ModelFormatException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Pattern;

/**
 * Saved voices in a directory: {@code <id>.cvspk} (the analysed prompt features) and {@code <id>.prompt.txt} (the
 * prompt text), both written atomically. A voice is analysed once and reused by id.
 */
public final class SpeakerStore {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private final Path dir;

    public SpeakerStore(Path dir) { this.dir = dir; }

    public Path dir() { return dir; }

    public void save(String id, Voice voice) throws IOException {
        checkId(id);
        Files.createDirectories(dir);
        voice.features().save(dir.resolve(id + ".cvspk"));
        Path txt = dir.resolve(id + ".prompt.txt");
        Path tmp = dev.cosyvoice4j.io.PartFiles.create(dir, id, ".tmp");
        try {
            Files.writeString(tmp, voice.promptText() == null ? "" : voice.promptText(), StandardCharsets.UTF_8);
            Files.move(tmp, txt, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public Voice load(String id) {
        checkId(id);
        Path f = dir.resolve(id + ".cvspk");
        if (!Files.isRegularFile(f)) throw new IllegalArgumentException("no saved speaker '" + id + "' in " + dir);
        PromptFeatures features = PromptFeatures.load(f);
        Path txt = dir.resolve(id + ".prompt.txt");
        try {
            String prompt = Files.isRegularFile(txt) ? Files.readString(txt, StandardCharsets.UTF_8) : "";
            return new Voice(features, prompt.isEmpty() ? null : prompt);
        } catch (IOException e) {
            throw new ModelFormatException(txt, "cannot read: " + e.getMessage(), e);
        }
    }

    private static void checkId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("speaker id must be 1-64 letters, digits, '_', '-' or '.', got '" + id + "'");
        }
    }
}
