package dev.cosyvoice4j.hub;

/**
 * One file of a repository snapshot as the hub lists it.
 *
 * @param path   relative path with '/' separators, e.g. {@code CosyVoice-BlankEN/vocab.json}
 * @param size   bytes
 * @param sha256 the LFS object id (hex sha256 of the content), or null for a file kept in git itself
 * @param gitSha1 the git blob id (sha1 of {@code "blob <size>\0" + content}), or null when the hub does not list it
 */
public record RepoFile(String path, long size, String sha256, String gitSha1) {
    public RepoFile {
        if (path.isEmpty() || path.startsWith("/") || path.contains("\\") || ("/" + path + "/").contains("/../")
                || ("/" + path + "/").contains("/./")) {
            throw new HubException(HubException.Kind.BAD_RESPONSE, "the hub listed an unsafe file path '" + path + "'");
        }
        if (size < 0) throw new HubException(HubException.Kind.BAD_RESPONSE, "the hub listed a negative size for " + path);
    }

    /** The name of its blob in the Hugging Face cache: the sha256 for LFS files, the git blob id otherwise (as huggingface_hub's etag). */
    String blobName() { return sha256 != null ? sha256 : gitSha1; }
}
