package dev.cosyvoice4j.backend.onednn;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The installed oneDNN for tests. Absent, the tests are reported as skipped with the loader's message; with
 * {@code -Dcosyvoice4j.onednn.required=true} or {@code COSYVOICE4J_REQUIRE_ONEDNN=1} (CI, where it is installed)
 * absence is a failure instead, so the oneDNN tests cannot silently stop running.
 */
final class OneDnnTestSupport {
    private OneDnnTestSupport() {}

    static OneDnn library() {
        OneDnn.LoadResult r = OneDnn.loadDefault();
        if (r.library().isEmpty()) {
            boolean required = Boolean.getBoolean("cosyvoice4j.onednn.required")
                    || "1".equals(System.getenv("COSYVOICE4J_REQUIRE_ONEDNN"))
                    || "true".equalsIgnoreCase(System.getenv("COSYVOICE4J_REQUIRE_ONEDNN"));
            if (required) fail("oneDNN is required here but " + r.message());
            assumeTrue(false, () -> "oneDNN tests skipped: " + r.message());
        }
        return r.library().get();
    }
}
