package dev.cosyvoice4j.hub;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Models from the Hugging Face Hub (or a mirror) and ModelScope, into the caches those tools use. Only what
 * {@link HubOptions} says is used: no environment variable, no system property.
 */
public final class ModelHub {
    private final HubOptions options;
    private final HfCache hfCache;
    private final ModelScopeCache modelScopeCache;

    public ModelHub(HubOptions options) {
        this.options = options;
        this.hfCache = new HfCache(options.hfCache());
        this.modelScopeCache = new ModelScopeCache(options.modelScopeCache());
    }

    public HubOptions options() { return options; }

    public HfCache hfCache() { return hfCache; }

    public ModelScopeCache modelScopeCache() { return modelScopeCache; }

    /** Every model in the two caches. */
    public List<LocalModel> localModels() { return LocalModels.scan(hfCache, modelScopeCache); }

    /**
     * Downloads the files of {@code id} that {@code selection} matches, at {@code revision} (null: the hub's default
     * branch, main or master), into {@code hub}'s cache; files already there are kept. Files go in parallel, each
     * resumed after a dropped connection and verified against the hub's sha256 before it appears in the model
     * directory.
     *
     * @throws HubException offline, unreachable, refused, not found, or a file failed its checksum (it was deleted)
     */
    public PullResult pull(ModelId id, HubKind hub, String revision, FileSelection selection, PullListener listener) {
        if (options.offline()) {
            throw new HubException(HubException.Kind.OFFLINE, "offline mode is on: not downloading " + id);
        }
        String rev = revision != null ? revision : hub == HubKind.HUGGING_FACE ? "main" : "master";
        try (Http http = new Http(options)) {
            RepoSnapshot listed = hub == HubKind.HUGGING_FACE ? HfApi.list(http, options, id, rev) : ModelScopeApi.list(http, options, id, rev);
            List<RepoFile> wanted = listed.files().stream().filter(f -> selection.matches(f.path())).toList();
            if (wanted.isEmpty()) {
                throw new HubException(HubException.Kind.NOT_FOUND, id + " at " + rev + " has no file matching " + selection.includes()
                        + " (it has " + listed.files().stream().limit(8).map(RepoFile::path).toList() + (listed.files().size() > 8 ? "..." : "") + ")");
            }
            RepoSnapshot snapshot = new RepoSnapshot(id, rev, listed.commit(), wanted);
            Destination dest = hub == HubKind.HUGGING_FACE ? new Destination.HuggingFace(hfCache, options, snapshot)
                    : new Destination.ModelScope(modelScopeCache, options, snapshot);
            return transfer(http, snapshot, dest, listener);
        }
    }

    private PullResult transfer(Http http, RepoSnapshot snapshot, Destination dest, PullListener listener) {
        try {
            dest.begin();
        } catch (IOException e) {
            throw new HubException(HubException.Kind.LOCAL_IO, "cannot write to " + dest.directory() + ": " + e.getMessage(), false, e);
        }
        List<RepoFile> missing = snapshot.files().stream().filter(f -> !dest.present(f)).toList();
        long bytes = missing.stream().mapToLong(RepoFile::size).sum();
        listener.planned(snapshot, missing, bytes, dest.directory());
        List<HubException> failures = new ArrayList<>();
        int fetched = 0;
        long fetchedBytes = 0;
        int threads = Math.max(1, Math.min(options.parallelism(), missing.size()));
        try (ExecutorService pool = Executors.newFixedThreadPool(threads, Thread.ofPlatform().name("hub-download-", 1).daemon(true).factory())) {
            List<Future<Boolean>> done = missing.stream().map(f -> pool.submit(() -> FileDownload.fetch(http, dest.url(f),
                    dest.token(), f, dest.target(f), options.retries(), listener, () -> dest.finish(f)))).toList();
            for (int i = 0; i < done.size(); i++) {
                try {
                    if (done.get(i).get()) {
                        fetched++;
                        fetchedBytes += missing.get(i).size();
                    }
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof HubException h) failures.add(h);
                    else if (e.getCause() instanceof RuntimeException r) throw r;
                    else throw new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    pool.shutdownNow();
                    Thread.currentThread().interrupt();
                    throw new HubException(HubException.Kind.NETWORK, "interrupted while downloading " + snapshot.id(), false, e);
                }
            }
        }
        if (!failures.isEmpty()) {
            HubException first = failures.getFirst();
            if (failures.size() == 1) throw first;
            throw new HubException(first.kind(), first.getMessage() + " (" + (failures.size() - 1) + " more file(s) failed)", false, first);
        }
        return new PullResult(dest.directory(), snapshot, fetched, fetchedBytes);
    }
}
