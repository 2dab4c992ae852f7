package dev.cosyvoice4j.hub;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Network and HTTP failures are clear: they name the URL and what to do; offline mode sends nothing at all. */
class HttpErrorsTest {
    @TempDir Path dir;
    final HubMirror mirror = HubMirror.start();
    final ModelId id = ModelId.parse("acme/tiny");

    @AfterEach
    void stop() { mirror.close(); }

    private HubException pullFails(HubOptions o, ModelId model) {
        return assertThrows(HubException.class, () -> new ModelHub(o).pull(model, HubKind.HUGGING_FACE, null, FileSelection.ALL, PullListener.NONE));
    }

    @Test
    void unknownRepositoryIsNotFoundNamingTheUrl() {
        HubException e = pullFails(TestRepos.options(mirror, dir), ModelId.parse("acme/nothing"));
        assertEquals(HubException.Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().startsWith("GET " + mirror.endpoint() + "/api/models/acme/nothing/revision/main?blobs=true answered 404 (Repository not found)"), e.getMessage());
        assertTrue(e.getMessage().contains("check the model id and revision"), e.getMessage());
    }

    @Test
    void unknownRevisionIsNotFound() {
        mirror.addRepo("acme/tiny", TestRepos.tiny());
        HubException e = assertThrows(HubException.class, () -> new ModelHub(TestRepos.options(mirror, dir))
                .pull(id, HubKind.HUGGING_FACE, "v9/x", FileSelection.ALL, PullListener.NONE));
        assertEquals(HubException.Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains("/revision/v9%2Fx?blobs=true"), e.getMessage());
    }

    @Test
    void privateRepositoryWithoutTokenAsksForOne() {
        mirror.addRepo("acme/tiny", TestRepos.tiny());
        mirror.requireToken("hf_secret");
        HubException e = pullFails(TestRepos.options(mirror, dir), id);
        assertEquals(HubException.Kind.UNAUTHORIZED, e.kind());
        assertTrue(e.getMessage().contains("/api/models/acme/tiny/revision/main") && e.getMessage().contains("answered 401")
                && e.getMessage().contains("HF_TOKEN"), e.getMessage());

        HubException wrong = pullFails(TestRepos.options(mirror, dir).withHfToken("hf_wrong"), id);
        assertTrue(wrong.getMessage().contains("the access token was refused"), wrong.getMessage());
    }

    @Test
    void tokenGoesToTheHubButNotToTheCdnItRedirectsTo() {
        mirror.addRepo("acme/tiny", TestRepos.tiny());
        mirror.requireToken("hf_secret");
        new ModelHub(TestRepos.options(mirror, dir).withHfToken("hf_secret")).pull(id, HubKind.HUGGING_FACE, null, FileSelection.ALL, PullListener.NONE);
        for (HubMirror.Request r : mirror.requests()) {
            if (r.port() == mirror.cdnPort()) assertNull(r.authorization(), r.toString());
            else assertEquals("Bearer hf_secret", r.authorization(), r.toString());
        }
        assertTrue(mirror.requests().stream().anyMatch(r -> r.port() == mirror.cdnPort()));
    }

    @Test
    void forbiddenFileExplainsGating() {
        mirror.addRepo("acme/tiny", TestRepos.tiny());
        mirror.fault(TestRepos.CONFIG, HubMirror.Fault.status(403));
        HubException e = pullFails(TestRepos.options(mirror, dir), id);
        assertEquals(HubException.Kind.FORBIDDEN, e.kind());
        assertTrue(e.getMessage().contains("/acme/tiny/resolve/") && e.getMessage().contains("config.yaml")
                && e.getMessage().contains("accept its terms"), e.getMessage());
    }

    @Test
    void slowAnswerTimesOutNamingTheUrl() {
        mirror.addRepo("acme/tiny", TestRepos.tiny());
        mirror.delay(3_000);
        HubException e = pullFails(TestRepos.options(mirror, dir).withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(50)), id);
        assertEquals(HubException.Kind.TIMEOUT, e.kind());
        assertTrue(e.getMessage().startsWith("GET " + mirror.endpoint() + "/api/models/acme/tiny/revision/main")
                && e.getMessage().contains("no answer within 1.05 s"), e.getMessage());
    }

    @Test
    void stalledTransferWithoutRetriesTimesOut() {
        mirror.addRepo("acme/tiny", TestRepos.tiny());
        mirror.fault(TestRepos.WEIGHTS, HubMirror.Fault.stall(1_000, 2_000));
        HubException e = pullFails(TestRepos.options(mirror, dir).withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(80)), id);
        assertEquals(HubException.Kind.TIMEOUT, e.kind());
        assertTrue(e.getMessage().contains("/blobs/") && e.getMessage().contains("the transfer stalled (no data for 0.08 s)"), e.getMessage());
    }

    @Test
    void refusedConnectionNamesTheHostAndUrl() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        HubOptions o = TestRepos.options(mirror, dir).withHfEndpoint(URI.create("http://127.0.0.1:" + port));
        HubException e = pullFails(o, id);
        assertEquals(HubException.Kind.NETWORK, e.kind());
        assertTrue(e.getMessage().startsWith("GET http://127.0.0.1:" + port + "/api/models/acme/tiny/revision/main?blobs=true: cannot connect to 127.0.0.1:" + port),
                e.getMessage());
    }

    @Test
    void unresolvableHostIsReportedAsDns() {
        Http http = new Http(TestRepos.options(mirror, dir));
        ConnectException ce = new ConnectException();
        ce.initCause(new UnresolvedAddressException());
        HubException e = http.failure(URI.create("https://hub.example/api/x"), ce);
        assertEquals(HubException.Kind.NETWORK, e.kind());
        assertEquals("GET https://hub.example/api/x: cannot resolve the host name hub.example (DNS)", e.getMessage());
    }

    @Test
    void offlineModeSendsNoRequest() {
        mirror.addRepo("acme/tiny", TestRepos.tiny());
        HubException e = pullFails(TestRepos.options(mirror, dir).withOffline(true), id);
        assertEquals(HubException.Kind.OFFLINE, e.kind());
        assertEquals(0, mirror.requests().size());
        assertTrue(!Files.exists(dir.resolve("hf")), "nothing written either");
    }
}
