package dev.cosyvoice4j.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** The Hugging Face Hub's HTTP API (or a mirror's): a revision's file list, and where each file is downloaded from. */
final class HfApi {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HfApi() {}

    /**
     * {@code GET {endpoint}/api/models/{id}/revision/{revision}?blobs=true}: the commit and, for every file, its size,
     * git blob id and (LFS files) sha256.
     */
    static RepoSnapshot list(Http http, HubOptions o, ModelId id, String revision) {
        URI uri = URI.create(o.hfEndpoint() + "/api/models/" + id + "/revision/" + Urls.component(revision) + "?blobs=true");
        JsonNode root = parse(http.get(uri, o.hfToken()), uri);
        String commit = root.path("sha").asText("");
        if (!commit.matches("[0-9a-f]{40}")) throw bad(uri, "it names no commit sha");
        JsonNode siblings = root.path("siblings");
        if (!siblings.isArray()) throw bad(uri, "it has no file list (siblings)");
        List<RepoFile> files = new ArrayList<>();
        for (JsonNode s : siblings) {
            String path = s.path("rfilename").asText("");
            JsonNode lfs = s.path("lfs");
            String sha256 = lfs.isObject() ? lfs.path("sha256").asText(null) : null;
            String blobId = s.path("blobId").asText(null);
            long size = s.has("size") ? s.path("size").asLong(-1) : lfs.path("size").asLong(-1);
            if (path.isEmpty() || size < 0 || (sha256 == null && blobId == null)) {
                throw bad(uri, "file '" + path + "' has no size or blob id (does the server support ?blobs=true?)");
            }
            if (sha256 != null && !sha256.matches("[0-9a-f]{64}")) throw bad(uri, "file '" + path + "' has a malformed sha256");
            if (blobId != null && !blobId.matches("[0-9a-f]{40}")) throw bad(uri, "file '" + path + "' has a malformed blobId");
            files.add(new RepoFile(path, size, sha256, blobId));
        }
        return new RepoSnapshot(id, revision, commit, files);
    }

    /** {@code {endpoint}/{id}/resolve/{commit}/{path}}: redirects to a CDN for LFS files. */
    static URI fileUrl(HubOptions o, ModelId id, String commit, RepoFile f) {
        return URI.create(o.hfEndpoint() + "/" + id + "/resolve/" + commit + "/" + Urls.path(f.path()));
    }

    static JsonNode parse(byte[] body, URI uri) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw bad(uri, "it is not JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }

    private static HubException bad(URI uri, String why) {
        return new HubException(HubException.Kind.BAD_RESPONSE, "GET " + uri + ": unexpected answer: " + why
                + " (is the endpoint a Hugging Face Hub API or a mirror of it?)");
    }
}
