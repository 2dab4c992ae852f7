package dev.cosyvoice4j.hub;

import java.nio.file.Path;

/**
 * A model found in a local cache.
 *
 * @param id          owner/name
 * @param hub         whose cache it is in
 * @param revision    the refs that point at this snapshot and its commit (Hugging Face), the recorded revision or "-"
 * @param directory   the model directory
 * @param bytes       size of its files
 * @param files       number of files
 * @param interrupted an interrupted download of it is waiting to be resumed
 */
public record LocalModel(String id, HubKind hub, String revision, Path directory, long bytes, int files, boolean interrupted) {}
