package dev.cosyvoice4j.cli;

import dev.cosyvoice4j.hub.HubOptions;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The environment variables of huggingface_hub and modelscope (their documented interface, so that a cache, mirror
 * or token set up for Python tools works here too), read in one place and turned into explicit {@link HubOptions}.
 */
final class HubEnv {
    private static final Set<String> TRUE = Set.of("1", "ON", "YES", "TRUE");    // huggingface_hub's ENV_VARS_TRUE_VALUES

    private final Map<String, String> env;

    HubEnv(Map<String, String> env) { this.env = env; }

    private String get(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v.strip();
    }

    Path home() {
        String h = get("HOME");
        return Path.of(h != null ? h : System.getProperty("user.home"));
    }

    /** {@code $HF_HOME}, else {@code $XDG_CACHE_HOME/huggingface}, else {@code ~/.cache/huggingface}. */
    Path hfHome() {
        String h = get("HF_HOME");
        if (h != null) return expand(h);
        String xdg = get("XDG_CACHE_HOME");
        return (xdg != null ? expand(xdg) : home().resolve(".cache")).resolve("huggingface");
    }

    /** {@code $HF_HUB_CACHE} (or the older {@code $HUGGINGFACE_HUB_CACHE}), else {@code $HF_HOME/hub}. */
    Path hfCache() {
        String c = get("HF_HUB_CACHE") != null ? get("HF_HUB_CACHE") : get("HUGGINGFACE_HUB_CACHE");
        return c != null ? expand(c) : hfHome().resolve("hub");
    }

    /** {@code $MODELSCOPE_CACHE}, else {@code ~/.cache/modelscope/hub} (models under its {@code models/}). */
    Path modelScopeCache() {
        String c = get("MODELSCOPE_CACHE");
        return c != null ? expand(c) : home().resolve(".cache").resolve("modelscope").resolve("hub");
    }

    /** {@code $HF_TOKEN}, else the token {@code hf auth login} saved ({@code $HF_TOKEN_PATH}, default {@code $HF_HOME/token}). */
    String hfToken() {
        String t = get("HF_TOKEN") != null ? get("HF_TOKEN") : get("HUGGING_FACE_HUB_TOKEN");
        if (t != null) return t;
        Path file = get("HF_TOKEN_PATH") != null ? expand(get("HF_TOKEN_PATH")) : hfHome().resolve("token");
        try {
            return Files.isRegularFile(file) ? Files.readString(file).strip() : null;
        } catch (IOException e) {
            return null;
        }
    }

    boolean offline() {
        String v = get("HF_HUB_OFFLINE") != null ? get("HF_HUB_OFFLINE") : get("TRANSFORMERS_OFFLINE");
        return v != null && TRUE.contains(v.toUpperCase(Locale.ROOT));
    }

    /** {@code $HF_ENDPOINT} (a mirror such as https://hf-mirror.com), else the Hugging Face Hub. */
    URI hfEndpoint() { return endpoint("HF_ENDPOINT", get("HF_ENDPOINT"), HubOptions.HF_ENDPOINT); }

    /** {@code https://$MODELSCOPE_DOMAIN}, else www.modelscope.cn. */
    URI modelScopeEndpoint() {
        String d = get("MODELSCOPE_DOMAIN");
        if (d == null) return HubOptions.MODELSCOPE_ENDPOINT;
        return endpoint("MODELSCOPE_DOMAIN", d.contains("://") ? d : "https://" + d, null);
    }

    /** The old cosyvoice4j model folder ({@code $COSYVOICE4J_HOME/models}, default {@code ~/.cache/cosyvoice4j/models}). */
    Path legacyModels() {
        String h = get("COSYVOICE4J_HOME");
        return (h != null ? expand(h) : home().resolve(".cache").resolve("cosyvoice4j")).resolve("models");
    }

    /** The options for the hub code: caches, endpoints, token and offline mode from the environment, or {@code --offline}. */
    HubOptions options(boolean offlineFlag) {
        try {
            return HubOptions.of(hfCache(), modelScopeCache()).withHfEndpoint(hfEndpoint()).withHfToken(hfToken())
                    .withModelScopeEndpoint(modelScopeEndpoint()).withOffline(offlineFlag || offline());
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
    }

    private URI endpoint(String var, String value, URI fallback) {
        if (value == null) return fallback;
        try {
            URI u = URI.create(value);
            if (u.getHost() == null || !(value.startsWith("http://") || value.startsWith("https://"))) throw new IllegalArgumentException();
            return u;
        } catch (IllegalArgumentException e) {
            throw new UserException(var + ": expected an http(s) URL such as https://hf-mirror.com, got '" + value + "'");
        }
    }

    private Path expand(String p) {
        return p.equals("~") ? home() : p.startsWith("~/") ? home().resolve(p.substring(2)) : Path.of(p);
    }
}
