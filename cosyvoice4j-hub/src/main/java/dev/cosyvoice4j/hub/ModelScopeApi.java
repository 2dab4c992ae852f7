package dev.cosyvoice4j.hub;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * ModelScope's HTTP API as the {@code modelscope} library calls it ({@code hub/api.py}): the file list
 * {@code GET {endpoint}/api/v1/models/{id}/repo/files?Revision=R&Recursive=True} answers
 * {@code {"Code":200,"Data":{"Files":[{"Path","Type","Size","Sha256"}...]}}}; a file is
 * {@code GET {endpoint}/api/v1/models/{id}/repo?Revision=R&FilePath=P}.
 */
final class ModelScopeApi {
    private ModelScopeApi() {}

    static RepoSnapshot list(Http http, HubOptions o, ModelId id, String revision) {
        URI uri = URI.create(o.modelScopeEndpoint() + "/api/v1/models/" + id + "/repo/files?Revision="
                + Urls.component(revision) + "&Recursive=True");
        JsonNode root = HfApi.parse(http.get(uri, null), uri);
        int code = root.path("Code").asInt(200);
        if (code != 200) {
            throw new HubException(code == 404 ? HubException.Kind.NOT_FOUND : HubException.Kind.HTTP, "GET " + uri
                    + ": ModelScope answered " + code + " (" + root.path("Message").asText("no message") + ")");
        }
        JsonNode list = root.path("Data").path("Files");
        if (!list.isArray()) {
            throw new HubException(HubException.Kind.BAD_RESPONSE, "GET " + uri + ": unexpected answer: no Data.Files list");
        }
        List<RepoFile> files = new ArrayList<>();
        for (JsonNode f : list) {
            if ("tree".equals(f.path("Type").asText())) continue;
            String path = f.path("Path").asText("");
            if (path.equals(".gitignore") || path.equals(".gitattributes")) continue;
            String sha256 = f.path("Sha256").asText("");
            long size = f.path("Size").asLong(-1);
            if (path.isEmpty() || size < 0) {
                throw new HubException(HubException.Kind.BAD_RESPONSE, "GET " + uri + ": unexpected answer: file '" + path + "' has no size");
            }
            files.add(new RepoFile(path, size, sha256.matches("[0-9a-f]{64}") ? sha256 : null, null));
        }
        return new RepoSnapshot(id, revision, revision, files);
    }

    static URI fileUrl(HubOptions o, ModelId id, String revision, RepoFile f) {
        return URI.create(o.modelScopeEndpoint() + "/api/v1/models/" + id + "/repo?Revision=" + Urls.component(revision)
                + "&FilePath=" + Urls.component(f.path()));
    }
}
