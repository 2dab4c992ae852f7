package dev.cosyvoice4j.hub;

import java.nio.file.Path;

/**
 * What a pull did.
 *
 * @param directory       the model directory: the snapshot (Hugging Face) or the model folder (ModelScope)
 * @param snapshot        the files of the selection, at the commit pulled
 * @param downloadedFiles files this pull transferred (not those already here, or brought by another process meanwhile)
 * @param downloadedBytes their sizes (including any part resumed from an earlier run)
 */
public record PullResult(Path directory, RepoSnapshot snapshot, int downloadedFiles, long downloadedBytes) {}
