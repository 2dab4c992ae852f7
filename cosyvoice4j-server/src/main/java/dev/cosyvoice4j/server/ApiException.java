package dev.cosyvoice4j.server;

import java.util.Map;

/**
 * A request that fails with OpenAI's error shape ({@code {"error": {"message", "type", "param", "code"}}}, the code a
 * string) and an HTTP status. Clients such as Open WebUI show {@code error.message}, so it names the problem.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String code;
    private final String param;
    private final Map<String, String> headers;

    public ApiException(int status, String type, String code, String param, String message, Map<String, String> headers) {
        super(dev.cosyvoice4j.io.ModelFormatException.oneLine(message));  // client text quoted in it stays one line
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
        this.headers = Map.copyOf(headers);
    }

    /** 400 invalid_request_error about one request field. */
    public static ApiException invalid(String param, String code, String message) {
        return new ApiException(400, "invalid_request_error", code, param, message, Map.of());
    }

    public static ApiException notFound(String param, String code, String message) {
        return new ApiException(404, "invalid_request_error", code, param, message, Map.of());
    }

    public static ApiException tooLarge(String param, String message) {
        return new ApiException(413, "invalid_request_error", "payload_too_large", param, message, Map.of());
    }

    /** 429 with Retry-After (whole seconds, >= 1) and x-should-retry: the OpenAI SDKs retry it. */
    public static ApiException busy(String message, long retryAfterSeconds) {
        return new ApiException(429, "server_busy", "server_busy", null, message,
                Map.of("Retry-After", Long.toString(Math.max(1, retryAfterSeconds)), "x-should-retry", "true"));
    }

    public static ApiException unauthorized() {
        return new ApiException(401, "invalid_request_error", "invalid_api_key", null,
                "missing or wrong API key: send 'Authorization: Bearer <key>'", Map.of());
    }

    public static ApiException server(String message) {
        return new ApiException(500, "server_error", "internal_error", null, message, Map.of());
    }

    public int status() { return status; }
    public String type() { return type; }
    public String code() { return code; }
    public String param() { return param; }
    public Map<String, String> headers() { return headers; }
}
