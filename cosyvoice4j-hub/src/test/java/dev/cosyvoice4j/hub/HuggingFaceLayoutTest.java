package dev.cosyvoice4j.hub;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static dev.cosyvoice4j.hub.HubMirror.gitBlobSha1;
import static dev.cosyvoice4j.hub.HubMirror.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pull writes exactly the tree huggingface_hub's documentation describes ("Manage the cache": blobs named by their
 * hash, snapshots of relative symlinks, refs naming commits), built here by hand.
 */
class HuggingFaceLayoutTest {
    @TempDir Path dir;
    final HubMirror mirror = HubMirror.start();

    @AfterEach
    void stop() { mirror.close(); }

    @Test
    void pullWritesTheHuggingFaceCacheLayout() throws IOException {
        Map<String, byte[]> files = TestRepos.tiny();
        String commit = mirror.addRepo("acme/tiny", files);
        PullResult r = new ModelHub(TestRepos.options(mirror, dir)).pull(ModelId.parse("acme/tiny"), HubKind.HUGGING_FACE,
                null, FileSelection.ALL, PullListener.NONE);

        String weights = sha256(files.get(TestRepos.WEIGHTS));                  // LFS file: its sha256
        String config = gitBlobSha1(files.get(TestRepos.CONFIG));               // git file: its blob id (the etag)
        String vocab = gitBlobSha1(files.get(TestRepos.NESTED));
        String repo = "models--acme--tiny/", snap = repo + "snapshots/" + commit + "/";
        Set<String> expected = new TreeSet<>(Set.of(
                "CACHEDIR.TAG",
                ".locks", ".locks/models--acme--tiny",
                ".locks/models--acme--tiny/" + weights + ".lock",
                ".locks/models--acme--tiny/" + config + ".lock",
                ".locks/models--acme--tiny/" + vocab + ".lock",
                "models--acme--tiny", repo + "blobs", repo + "refs", repo + "snapshots", repo + "snapshots/" + commit,
                repo + "blobs/" + weights, repo + "blobs/" + config, repo + "blobs/" + vocab,
                repo + "refs/main",
                snap + "weights.pt", snap + "config.yaml", snap + "tokenizer", snap + "tokenizer/vocab.json"));
        assertEquals(expected, tree(dir.resolve("hf")));

        Path cache = dir.resolve("hf");
        assertEquals(commit, Files.readString(cache.resolve(repo + "refs/main")));
        assertEquals("../../blobs/" + weights, link(cache.resolve(snap + "weights.pt")));
        assertEquals("../../blobs/" + config, link(cache.resolve(snap + "config.yaml")));
        assertEquals("../../../blobs/" + vocab, link(cache.resolve(snap + "tokenizer/vocab.json")));
        for (var f : files.entrySet()) assertArrayEquals(f.getValue(), Files.readAllBytes(cache.resolve(snap + f.getKey())), f.getKey());
        assertEquals(cache.resolve(repo + "snapshots/" + commit), r.directory());
        assertEquals(3, r.downloadedFiles());
    }

    @Test
    void secondPullDownloadsNothingAndFindsTheSnapshotThroughItsRef() {
        String commit = mirror.addRepo("acme/tiny", TestRepos.tiny());
        ModelHub hub = new ModelHub(TestRepos.options(mirror, dir));
        hub.pull(ModelId.parse("acme/tiny"), HubKind.HUGGING_FACE, null, FileSelection.ALL, PullListener.NONE);
        int before = mirror.requests().size();
        PullResult again = hub.pull(ModelId.parse("acme/tiny"), HubKind.HUGGING_FACE, "main", FileSelection.ALL, PullListener.NONE);
        assertEquals(0, again.downloadedFiles());
        assertEquals(before + 1, mirror.requests().size(), "only the file list is asked for again");
        assertEquals(again.directory(), hub.hfCache().snapshot(ModelId.parse("acme/tiny"), "main").orElseThrow());
        assertEquals(again.directory(), hub.hfCache().snapshot(ModelId.parse("acme/tiny"), commit).orElseThrow());
    }

    @Test
    void selectionFetchesOnlyMatchingFiles() throws IOException {
        mirror.addRepo("acme/tiny", TestRepos.tiny());
        PullResult r = new ModelHub(TestRepos.options(mirror, dir)).pull(ModelId.parse("acme/tiny"), HubKind.HUGGING_FACE, null,
                new FileSelection(java.util.List.of("*.yaml", "tokenizer/**"), java.util.List.of()), PullListener.NONE);
        assertTrue(Files.exists(r.directory().resolve(TestRepos.CONFIG)));
        assertTrue(Files.exists(r.directory().resolve(TestRepos.NESTED)));
        assertTrue(!Files.exists(r.directory().resolve(TestRepos.WEIGHTS)));
        assertTrue(mirror.requests().stream().noneMatch(q -> q.port() == mirror.cdnPort()), "the LFS file was not fetched");
    }

    @Test
    void localModelsListsThePulledSnapshot() {
        mirror.addRepo("acme/tiny", TestRepos.tiny());
        ModelHub hub = new ModelHub(TestRepos.options(mirror, dir));
        PullResult r = hub.pull(ModelId.parse("acme/tiny"), HubKind.HUGGING_FACE, null, FileSelection.ALL, PullListener.NONE);
        LocalModel m = hub.localModels().getFirst();
        assertEquals("acme/tiny", m.id());
        assertEquals(HubKind.HUGGING_FACE, m.hub());
        assertTrue(m.revision().startsWith("main " + r.snapshot().commit().substring(0, 12)), m.revision());
        assertEquals(r.snapshot().bytes(), m.bytes());
        assertEquals(3, m.files());
    }

    static Set<String> tree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return new TreeSet<>(s.filter(p -> !p.equals(root)).map(p -> root.relativize(p).toString().replace('\\', '/')).toList());
        }
    }

    static Set<String> treeOrEmpty(Path root) throws IOException {
        return Files.exists(root) ? tree(root) : Set.of();
    }

    private static String link(Path p) throws IOException {
        assertTrue(Files.isSymbolicLink(p), p + " is a symlink");
        return Files.readSymbolicLink(p).toString().replace('\\', '/');
    }
}
