package dev.cosyvoice4j.backend.onednn;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The oneDNN library for tests. Where the pom's bundled natives apply (linux-x86_64) or when required explicitly
 * ({@code -Dcosyvoice4j.onednn.required=true}, {@code COSYVOICE4J_REQUIRE_ONEDNN=1}), absence is a failure, so the
 * oneDNN tests cannot silently stop running; only on other platforms are they reported as skipped, with the reason.
 */
public final class OneDnnTestSupport {
    private OneDnnTestSupport() {}

    /** Whether oneDNN must load in this test run. */
    public static boolean required() {
        return OneDnn.bundledNativesPresent() || Boolean.getBoolean("cosyvoice4j.onednn.required")
                || "1".equals(System.getenv("COSYVOICE4J_REQUIRE_ONEDNN"))
                || "true".equalsIgnoreCase(System.getenv("COSYVOICE4J_REQUIRE_ONEDNN"));
    }

    static OneDnn library() {
        OneDnn.LoadResult r = OneDnn.loadDefault();
        if (r.library().isEmpty()) {
            if (required()) fail("oneDNN is required here but " + r.message());
            assumeTrue(false, () -> "oneDNN tests skipped on this platform: " + r.message());
        }
        return r.library().get();
    }
}
