package dev.cosyvoice4j.hub;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the files of one snapshot go, in one cache's layout, and where each comes from. */
interface Destination {
    /** The model directory the files appear in. */
    Path directory();

    /** Prepares the layout before any file (refs, cache tag). */
    void begin() throws IOException;

    /** Whether {@code f} is already complete here. */
    boolean present(RepoFile f);

    FileDownload.Target target(RepoFile f);

    /** Makes a complete file appear in the model directory (under its lock). */
    void finish(RepoFile f) throws IOException;

    URI url(RepoFile f);

    /** Sent as a bearer token (only to the endpoint's own host), or null. */
    String token();

    /** Hugging Face: blobs by hash, the snapshot made of relative symlinks to them, refs/revision naming the commit. */
    record HuggingFace(HfCache cache, HubOptions options, RepoSnapshot snapshot) implements Destination {
        public Path directory() { return cache.snapshotDir(snapshot.id(), snapshot.commit()); }

        public void begin() throws IOException {
            cache.tag();
            cache.writeRef(snapshot.id(), snapshot.revision(), snapshot.commit());
        }

        public boolean present(RepoFile f) { return Files.exists(cache.pointer(snapshot.id(), snapshot.commit(), f)); }

        public FileDownload.Target target(RepoFile f) {
            Path blob = cache.blob(snapshot.id(), f.blobName());
            return new FileDownload.Target(blob, blob.resolveSibling(blob.getFileName() + ".incomplete"),
                    cache.lock(snapshot.id(), f.blobName()));
        }

        public void finish(RepoFile f) throws IOException {
            Path pointer = cache.pointer(snapshot.id(), snapshot.commit(), f);
            if (!Files.exists(pointer)) HfCache.link(cache.blob(snapshot.id(), f.blobName()), pointer);
        }

        public URI url(RepoFile f) { return HfApi.fileUrl(options, snapshot.id(), snapshot.commit(), f); }

        public String token() { return options.hfToken(); }
    }

    /** ModelScope: the files themselves in models/owner/name, downloaded through models/.tmp. */
    record ModelScope(ModelScopeCache cache, HubOptions options, RepoSnapshot snapshot) implements Destination {
        public Path directory() { return cache.modelDir(snapshot.id()); }

        public void begin() {}

        public boolean present(RepoFile f) {
            Path p = directory().resolve(f.path());
            try {
                return Files.isRegularFile(p) && Files.size(p) == f.size();
            } catch (IOException e) {
                return false;
            }
        }

        public FileDownload.Target target(RepoFile f) {
            return new FileDownload.Target(directory().resolve(f.path()), cache.partial(snapshot.id(), f), cache.lock(snapshot.id(), f));
        }

        public void finish(RepoFile f) {}

        public URI url(RepoFile f) { return ModelScopeApi.fileUrl(options, snapshot.id(), snapshot.revision(), f); }

        public String token() { return null; }
    }
}
