package dev.cosyvoice4j.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * A hub on 127.0.0.1 for tests, speaking the Hugging Face Hub's API as huggingface_hub uses it
 * ({@code /api/models/{id}/revision/{rev}?blobs=true}, {@code /{id}/resolve/{commit}/{path}} with a 302 to a "CDN"
 * for LFS files: a second port, so another host as far as tokens go) and ModelScope's ({@code /api/v1/models/...}),
 * serving Range requests. Faults on demand, one per request of a file, in order: a connection dropped after N bytes,
 * corrupted bytes, an error status, a stall; an answer delay for every request; a required token.
 */
public final class HubMirror implements AutoCloseable {
    /** One request as received. */
    public record Request(int port, String path, String range, String authorization) {}

    /** What to do to one request for a file. */
    public record Fault(Kind kind, long afterBytes, int status, long millis) {
        public enum Kind { DROP, CORRUPT, STATUS, STALL }

        public static Fault drop(long afterBytes) { return new Fault(Kind.DROP, afterBytes, 0, 0); }
        public static Fault corrupt() { return new Fault(Kind.CORRUPT, 0, 0, 0); }
        public static Fault status(int status) { return new Fault(Kind.STATUS, 0, status, 0); }
        public static Fault stall(long afterBytes, long millis) { return new Fault(Kind.STALL, afterBytes, 0, millis); }
    }

    /** Files from this size on are served as LFS files (sha256, CDN redirect); smaller ones as git blobs. */
    public static final int LFS_FROM_BYTES = 10_000;

    private record Repo(String commit, Map<String, byte[]> files) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer api, cdn;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final Map<String, Deque<Fault>> faults = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile String token;
    private volatile long delayMillis;

    private HubMirror() throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        api = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        cdn = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        api.createContext("/", this::handleApi);
        cdn.createContext("/", this::handleCdn);
        api.setExecutor(pool);
        cdn.setExecutor(pool);
        api.start();
        cdn.start();
    }

    public static HubMirror start() {
        try {
            return new HubMirror();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI endpoint() { return URI.create("http://127.0.0.1:" + api.getAddress().getPort()); }

    public int cdnPort() { return cdn.getAddress().getPort(); }

    /** Publishes {@code files} (path -> bytes) as repository {@code id}; returns its commit sha. */
    public String addRepo(String id, Map<String, byte[]> files) {
        MessageDigest sha1 = digest("SHA-1");
        sha1.update(id.getBytes(StandardCharsets.UTF_8));
        files.forEach((p, b) -> {
            sha1.update(p.getBytes(StandardCharsets.UTF_8));
            sha1.update(b);
        });
        String commit = HexFormat.of().formatHex(sha1.digest());
        repos.put(id, new Repo(commit, new LinkedHashMap<>(files)));
        files.values().forEach(b -> blobs.put(sha256(b), b));
        return commit;
    }

    /** Every file under {@code dir}, by '/'-separated relative path. */
    public static Map<String, byte[]> filesOf(Path dir) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                files.put(dir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** The next request for {@code path} (of any repository) suffers {@code fault}; several queue up in order. */
    public void fault(String path, Fault fault) {
        faults.computeIfAbsent(path, k -> new ArrayDeque<>()).add(fault);
    }

    /** API requests (not CDN ones) need "Authorization: Bearer token", else 401. */
    public void requireToken(String token) { this.token = token; }

    /** Every answer waits this long before its headers. */
    public void delay(long millis) { this.delayMillis = millis; }

    public List<Request> requests() { return List.copyOf(requests); }

    /** Requests that transferred {@code path}'s bytes (resolve, CDN or ModelScope file requests). */
    public List<Request> fileRequests(String path) {
        return requests.stream().filter(r -> r.path().endsWith("/" + path) || r.path().endsWith("FilePath=" + path)
                || r.port() == cdnPort()).filter(r -> r.port() != cdnPort() || matchesBlob(r, path)).toList();
    }

    private boolean matchesBlob(Request r, String path) {
        for (Repo repo : repos.values()) {
            byte[] b = repo.files().get(path);
            if (b != null && r.path().equals("/blobs/" + sha256(b))) return true;
        }
        return false;
    }

    public static String sha256(byte[] b) { return HexFormat.of().formatHex(digest("SHA-256").digest(b)); }

    public static String gitBlobSha1(byte[] b) {
        MessageDigest d = digest("SHA-1");
        d.update(("blob " + b.length + "\0").getBytes(StandardCharsets.US_ASCII));
        return HexFormat.of().formatHex(d.digest(b));
    }

    private void handleApi(HttpExchange ex) throws IOException {
        try (ex) {
            String raw = ex.getRequestURI().getRawPath();
            String query = ex.getRequestURI().getRawQuery();
            log(ex, raw + (query != null ? "?" + URLDecoder.decode(query, StandardCharsets.UTF_8) : ""));
            pause(delayMillis);
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (token != null && !("Bearer " + token).equals(auth)) {
                error(ex, 401, "Invalid credentials in Authorization header");
                return;
            }
            String[] seg = raw.substring(1).split("/");
            if (raw.startsWith("/api/models/") && seg.length >= 6 && seg[4].equals("revision")) {
                hfRevision(ex, seg[2] + "/" + seg[3], decode(seg[5]));
            } else if (raw.startsWith("/api/v1/models/") && seg.length == 7 && seg[6].equals("files")) {
                msFiles(ex, seg[3] + "/" + seg[4]);
            } else if (raw.startsWith("/api/v1/models/") && seg.length == 6 && seg[5].equals("repo")) {
                Repo repo = repos.get(seg[3] + "/" + seg[4]);
                String path = query(query, "FilePath");
                if (repo == null || !repo.files().containsKey(path)) error(ex, 404, "file not found");
                else serve(ex, path, repo.files().get(path));
            } else if (seg.length >= 5 && seg[2].equals("resolve")) {
                hfResolve(ex, seg[0] + "/" + seg[1], seg[3], decode(String.join("/", List.of(seg).subList(4, seg.length))));
            } else {
                error(ex, 404, "no such route");
            }
        }
    }

    private void handleCdn(HttpExchange ex) throws IOException {
        try (ex) {
            String raw = ex.getRequestURI().getRawPath();
            log(ex, raw);
            pause(delayMillis);
            byte[] b = raw.startsWith("/blobs/") ? blobs.get(raw.substring(7)) : null;
            if (b == null) {
                error(ex, 404, "no such blob");
                return;
            }
            serve(ex, pathOf(raw.substring(7)), b);
        }
    }

    private void hfRevision(HttpExchange ex, String id, String revision) throws IOException {
        Repo repo = repos.get(id);
        if (repo == null) {
            ex.getResponseHeaders().add("X-Error-Code", "RepoNotFound");
            error(ex, 404, "Repository not found");
            return;
        }
        if (!revision.equals("main") && !revision.equals(repo.commit())) {
            ex.getResponseHeaders().add("X-Error-Code", "RevisionNotFound");
            error(ex, 404, "Invalid rev id: " + revision);
            return;
        }
        List<Map<String, Object>> siblings = new ArrayList<>();
        repo.files().forEach((p, b) -> {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("rfilename", p);
            s.put("size", b.length);
            if (b.length >= LFS_FROM_BYTES) {
                s.put("blobId", gitBlobSha1(("version https://git-lfs.github.com/spec/v1\noid sha256:" + sha256(b) + "\nsize " + b.length + "\n")
                        .getBytes(StandardCharsets.US_ASCII)));
                s.put("lfs", Map.of("sha256", sha256(b), "size", b.length, "pointerSize", 134));
            } else {
                s.put("blobId", gitBlobSha1(b));
            }
            siblings.add(s);
        });
        json(ex, Map.of("id", id, "modelId", id, "sha", repo.commit(), "siblings", siblings));
    }

    private void hfResolve(HttpExchange ex, String id, String revision, String path) throws IOException {
        Repo repo = repos.get(id);
        if (repo == null || !repo.files().containsKey(path) || !(revision.equals("main") || revision.equals(repo.commit()))) {
            ex.getResponseHeaders().add("X-Error-Code", "EntryNotFound");
            error(ex, 404, "Entry not found");
            return;
        }
        byte[] b = repo.files().get(path);
        if (b.length >= LFS_FROM_BYTES) {
            ex.getResponseHeaders().add("Location", "http://127.0.0.1:" + cdnPort() + "/blobs/" + sha256(b));
            ex.getResponseHeaders().add("X-Linked-Etag", "\"" + sha256(b) + "\"");
            ex.getResponseHeaders().add("X-Linked-Size", String.valueOf(b.length));
            ex.getResponseHeaders().add("X-Repo-Commit", repo.commit());
            ex.sendResponseHeaders(302, -1);
            return;
        }
        ex.getResponseHeaders().add("ETag", "\"" + gitBlobSha1(b) + "\"");
        serve(ex, path, b);
    }

    private void msFiles(HttpExchange ex, String id) throws IOException {
        Repo repo = repos.get(id);
        if (repo == null) {
            json(ex, Map.of("Code", 404, "Message", "model " + id + " not found", "Success", false));
            return;
        }
        List<Map<String, Object>> files = new ArrayList<>();
        repo.files().forEach((p, b) -> files.add(Map.of("Name", p.substring(p.lastIndexOf('/') + 1), "Path", p, "Type", "blob",
                "Size", b.length, "Sha256", sha256(b), "Revision", repo.commit())));
        json(ex, Map.of("Code", 200, "Data", Map.of("Files", files), "Success", true));
    }

    /** Sends {@code b} (or the part a Range header asks for), with the next fault queued for {@code path}. */
    private void serve(HttpExchange ex, String path, byte[] b) throws IOException {
        Deque<Fault> q = path == null ? null : faults.get(path);
        Fault fault;
        synchronized (this) {
            fault = q == null ? null : q.poll();
        }
        if (fault != null && fault.kind() == Fault.Kind.STATUS) {
            error(ex, fault.status(), "fault injected");
            return;
        }
        String range = ex.getRequestHeaders().getFirst("Range");
        int from = range != null && range.startsWith("bytes=") ? Integer.parseInt(range.substring(6, range.indexOf('-'))) : 0;
        if (from >= b.length && b.length > 0) {
            ex.getResponseHeaders().add("Content-Range", "bytes */" + b.length);
            ex.sendResponseHeaders(416, -1);
            return;
        }
        byte[] body = java.util.Arrays.copyOfRange(b, from, b.length);
        if (fault != null && fault.kind() == Fault.Kind.CORRUPT && body.length > 0) body[body.length / 2] ^= 0x5a;
        if (range != null) ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (b.length - 1) + "/" + b.length);
        ex.getResponseHeaders().add("Accept-Ranges", "bytes");
        ex.sendResponseHeaders(range != null ? 206 : 200, body.length == 0 ? -1 : body.length);
        if (body.length == 0) return;
        OutputStream out = ex.getResponseBody();
        try {
            if (fault != null && (fault.kind() == Fault.Kind.DROP || fault.kind() == Fault.Kind.STALL)) {
                int n = (int) Math.min(fault.afterBytes(), body.length);
                out.write(body, 0, n);
                out.flush();
                if (fault.kind() == Fault.Kind.DROP) {
                    ex.close();           // fewer bytes than announced: the exchange's close drops the connection
                    return;
                }
                pause(fault.millis());
                out.write(body, n, body.length - n);
            } else {
                out.write(body);
            }
            out.close();
        } catch (IOException clientGone) {
            // the client aborted (a stall it timed out on)
        }
    }

    private String pathOf(String sha256) {
        for (Repo r : repos.values()) {
            for (var e : r.files().entrySet()) if (sha256(e.getValue()).equals(sha256)) return e.getKey();
        }
        return null;
    }

    private void log(HttpExchange ex, String path) {
        requests.add(new Request(ex.getLocalAddress().getPort(), path, ex.getRequestHeaders().getFirst("Range"),
                ex.getRequestHeaders().getFirst("Authorization")));
    }

    private static void json(HttpExchange ex, Object value) throws IOException {
        byte[] body = JSON.writeValueAsBytes(value);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
    }

    private static void error(HttpExchange ex, int status, String message) throws IOException {
        ex.getResponseHeaders().add("X-Error-Message", message);
        ex.sendResponseHeaders(status, -1);
    }

    private static String query(String rawQuery, String name) {
        if (rawQuery == null) return null;
        for (String kv : rawQuery.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0 && kv.substring(0, eq).equals(name)) return decode(kv.substring(eq + 1));
        }
        return null;
    }

    private static String decode(String s) { return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8); }

    private static void pause(long ms) {
        if (ms <= 0) return;
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static MessageDigest digest(String alg) {
        try {
            return MessageDigest.getInstance(alg);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops both servers (again: nothing); a test may close it half way to take the network away. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        pool.shutdownNow();                 // first: a stalled handler's sleep ends, so that stop does not wait for it
        api.stop(0);
        cdn.stop(0);
    }
}
