package dev.cosyvoice4j.hub;

/** A model could not be found, fetched or verified; the message names the URL or file and what to do. */
public final class HubException extends RuntimeException {
    /** What went wrong, so that callers can add advice of their own (e.g. which flag to use). */
    public enum Kind {
        /** offline mode is on and the model is not local */
        OFFLINE,
        /** no connection: DNS, refused, reset, connect timeout */
        NETWORK,
        /** connected, but no answer or no data within the read timeout */
        TIMEOUT,
        /** 401: private or gated repository without a (valid) token */
        UNAUTHORIZED,
        /** 403: gated repository whose terms the token's account has not accepted */
        FORBIDDEN,
        /** 404: no such repository, revision or file */
        NOT_FOUND,
        /** any other HTTP error status */
        HTTP,
        /** the bytes received do not match the size or checksum the hub announced */
        CORRUPT,
        /** the hub's answer is not what its API documents */
        BAD_RESPONSE,
        /** the local cache could not be written */
        LOCAL_IO,
    }

    private final Kind kind;
    private final boolean transientFailure;

    HubException(Kind kind, String message, boolean transientFailure, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.transientFailure = transientFailure;
    }

    HubException(Kind kind, String message) { this(kind, message, false, null); }

    public Kind kind() { return kind; }

    /** Worth another attempt (with resume): a dropped connection, a stall, 429 or a 5xx answer. */
    boolean isTransient() { return transientFailure; }
}
