package dev.cosyvoice4j.engine;

import dev.cosyvoice4j.frontend.PromptFeatures;
import dev.cosyvoice4j.io.ModelFormatException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Saved voices in a directory: {@code <id>.cvspk} (the analysed prompt features) and {@code <id>.prompt.txt} (the
 * prompt text), both written atomically. A voice is analysed once and reused by id. The {@code .cvspk} file is written
 * last and removed first, so it alone decides whether a voice exists: a crash never leaves a voice without its text.
 * Safe for concurrent use by several threads of one process (the file system's atomic moves order the writes).
 */
public final class SpeakerStore {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private final Path dir;

    public SpeakerStore(Path dir) { this.dir = dir; }

    public Path dir() { return dir; }

    public void save(String id, Voice voice) throws IOException {
        checkId(id);
        Files.createDirectories(dir);
        Path txt = dir.resolve(id + ".prompt.txt");
        Path tmp = dev.cosyvoice4j.io.PartFiles.create(dir, id, ".tmp");
        try {
            Files.writeString(tmp, voice.promptText() == null ? "" : voice.promptText(), StandardCharsets.UTF_8);
            Files.move(tmp, txt, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        voice.features().save(dir.resolve(id + ".cvspk"));
    }

    /** A saved voice's id and when it was saved. */
    public record Entry(String id, Instant savedAt) {}

    /** The saved voices, sorted by id; an absent directory has none. */
    public List<Entry> list() throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        List<Entry> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.cvspk")) {
            for (Path f : files) {
                String name = f.getFileName().toString(), id = name.substring(0, name.length() - ".cvspk".length());
                if (!ID.matcher(id).matches() || !Files.isRegularFile(f)) continue;
                try {
                    out.add(new Entry(id, Files.getLastModifiedTime(f).toInstant()));
                } catch (NoSuchFileException deletedMeanwhile) {
                    // removed between the listing and the stat: not a voice any more
                }
            }
        }
        out.sort(Comparator.comparing(Entry::id));
        return out;
    }

    /** True when a voice with this id is saved. */
    public boolean exists(String id) {
        checkId(id);
        return Files.isRegularFile(dir.resolve(id + ".cvspk"));
    }

    /** Removes a saved voice; false when there was none. */
    public boolean delete(String id) throws IOException {
        checkId(id);
        boolean existed = Files.deleteIfExists(dir.resolve(id + ".cvspk"));
        Files.deleteIfExists(dir.resolve(id + ".prompt.txt"));
        return existed;
    }

    /** True when {@code id} is a valid voice id (1-64 letters, digits, '_', '-' or '.', not starting with a symbol). */
    public static boolean validId(String id) { return id != null && ID.matcher(id).matches(); }

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
        if (!validId(id)) {
            throw new IllegalArgumentException("speaker id must be 1-64 letters, digits, '_', '-' or '.', got '" + id + "'");
        }
    }
}
