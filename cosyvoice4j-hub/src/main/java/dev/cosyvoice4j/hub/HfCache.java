package dev.cosyvoice4j.hub;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * huggingface_hub's cache layout (its {@code file_download.py}), so that a model downloaded by {@code hf download}
 * is used as it is and one pulled here is seen by Python tools:
 * <pre>
 * &lt;cache&gt;/models--owner--name/blobs/&lt;sha256 of an LFS file, or git blob sha1 of a small one&gt;
 *                              blobs/&lt;hash&gt;.incomplete                 (while downloading)
 *                              refs/main                                 (the commit sha "main" pointed to)
 *                              snapshots/&lt;commit&gt;/&lt;path&gt; -> ../../blobs/&lt;hash&gt;   (relative symlinks)
 * &lt;cache&gt;/.locks/models--owner--name/&lt;hash&gt;.lock
 * </pre>
 */
public final class HfCache {
    private static final String TAG = "Signature: 8a477f597d28d172789f06886806bc55\n"
            + "# This file is a cache directory tag created by cosyvoice4j (in huggingface_hub's layout).\n"
            + "# For information about cache directory tags see https://bford.info/cachedir/\n";

    private final Path root;

    public HfCache(Path root) { this.root = root; }

    public Path root() { return root; }

    public Path repoDir(ModelId id) { return root.resolve(id.hfFolderName()); }

    public Path snapshotDir(ModelId id, String commit) { return repoDir(id).resolve("snapshots").resolve(commit); }

    Path blob(ModelId id, String hash) { return repoDir(id).resolve("blobs").resolve(hash); }

    Path lock(ModelId id, String hash) { return root.resolve(".locks").resolve(id.hfFolderName()).resolve(hash + ".lock"); }

    /** Where {@code file} appears in the snapshot of {@code commit}. */
    Path pointer(ModelId id, String commit, RepoFile file) { return snapshotDir(id, commit).resolve(file.path()); }

    /** The commit {@code refs/<revision>} names, if any. */
    public Optional<String> readRef(ModelId id, String revision) {
        Path ref = repoDir(id).resolve("refs").resolve(revision);
        try {
            return Files.isRegularFile(ref) ? Optional.of(Files.readString(ref).strip()).filter(s -> !s.isEmpty()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Records that {@code revision} points to {@code commit} (atomically: readers never see half a sha). */
    void writeRef(ModelId id, String revision, String commit) throws IOException {
        if (revision.equals(commit) || readRef(id, revision).filter(commit::equals).isPresent()) return;
        Path ref = repoDir(id).resolve("refs").resolve(revision);
        Files.createDirectories(ref.getParent());
        Path tmp = Files.createTempFile(ref.getParent(), ref.getFileName().toString(), ".tmp");
        Files.writeString(tmp, commit);
        move(tmp, ref);
    }

    /** The snapshot directory of {@code revision}: a commit sha as it is, anything else through its ref. */
    public Optional<Path> snapshot(ModelId id, String revision) {
        String commit = revision.matches("[0-9a-f]{40}") ? revision : readRef(id, revision).orElse(null);
        if (commit == null) return Optional.empty();
        Path dir = snapshotDir(id, commit);
        return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
    }

    /** Every snapshot directory of {@code id}, newest first. */
    public List<Path> snapshots(ModelId id) {
        Path dir = repoDir(id).resolve("snapshots");
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.filter(Files::isDirectory)
                    .sorted(Comparator.comparing(HfCache::modified).reversed()).toList());
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Marks the cache directory as one that backups may skip (huggingface_hub writes the same tag). */
    void tag() throws IOException {
        Path tag = root.resolve("CACHEDIR.TAG");
        if (Files.exists(tag)) return;
        Files.createDirectories(root);
        try {
            Files.writeString(Files.createFile(tag), TAG);
        } catch (FileAlreadyExistsException e) {
            // another process wrote it
        }
    }

    /**
     * Points {@code pointer} at {@code blob} with a relative symlink, as huggingface_hub does; where this file system
     * has no symlinks (Windows without developer mode), a copy of the blob instead.
     */
    static void link(Path blob, Path pointer) throws IOException {
        Files.createDirectories(pointer.getParent());
        Path target = pointer.toAbsolutePath().getParent().relativize(blob.toAbsolutePath());
        try {
            Files.createSymbolicLink(pointer, target);
        } catch (FileAlreadyExistsException e) {
            if (!Files.exists(pointer)) {                          // a dangling link (its blob was deleted): replace it
                Files.delete(pointer);
                link(blob, pointer);
            }
        } catch (UnsupportedOperationException | FileSystemException e) {
            Path tmp = Files.createTempFile(pointer.getParent(), pointer.getFileName().toString(), ".tmp");
            Files.copy(blob, tmp, StandardCopyOption.REPLACE_EXISTING);
            move(tmp, pointer);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
