package dev.cosyvoice4j.hub;

import java.util.List;

/**
 * A repository at one commit: what {@code pull} downloads.
 *
 * @param id       the repository
 * @param revision what was asked for (a branch, tag or commit)
 * @param commit   the commit the revision pointed to (on ModelScope, the revision itself)
 * @param files    every file, with size and checksum
 */
public record RepoSnapshot(ModelId id, String revision, String commit, List<RepoFile> files) {
    public RepoSnapshot { files = List.copyOf(files); }

    public long bytes() { return files.stream().mapToLong(RepoFile::size).sum(); }
}
