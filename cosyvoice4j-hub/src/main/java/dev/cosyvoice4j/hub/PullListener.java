package dev.cosyvoice4j.hub;

import java.nio.file.Path;
import java.util.List;

/** Progress of a pull, for a display; called from the download threads (implementations must be thread-safe). */
public interface PullListener {
    PullListener NONE = new PullListener() {};

    /**
     * The file list is known: {@code toFetch} of {@code snapshot}'s files are missing here ({@code bytesToFetch} bytes,
     * some possibly already partly downloaded) and go to {@code directory}.
     */
    default void planned(RepoSnapshot snapshot, List<RepoFile> toFetch, long bytesToFetch, Path directory) {}

    /** A file's transfer begins, {@code offset} bytes of it already here from an earlier, interrupted transfer. */
    default void started(RepoFile file, long offset) {}

    /** {@code bytes} more bytes of {@code file} arrived. */
    default void received(RepoFile file, long bytes) {}

    /** What was held of {@code file} was dropped (the server sent it from its start): count it from zero. */
    default void restarted(RepoFile file) {}

    /** A transient failure; the transfer resumes from what it has. */
    default void retrying(RepoFile file, int attempt, String reason) {}

    /** {@code file} is complete and verified. */
    default void finished(RepoFile file) {}
}
