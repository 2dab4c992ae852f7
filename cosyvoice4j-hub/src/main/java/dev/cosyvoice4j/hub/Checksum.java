package dev.cosyvoice4j.hub;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What a downloaded file must hash to: the LFS sha256 the hub lists, or for a small file kept in git its blob id
 * (sha1 of {@code "blob <size>\0"} and the content), or nothing when the hub lists neither.
 */
final class Checksum {
    private final String algorithm, expected;
    private final byte[] header;
    private MessageDigest digest;

    private Checksum(String algorithm, String expected, byte[] header) {
        this.algorithm = algorithm;
        this.expected = expected;
        this.header = header;
        reset();
    }

    static Checksum of(RepoFile f) {
        if (f.sha256() != null) return new Checksum("SHA-256", f.sha256(), new byte[0]);
        if (f.gitSha1() != null) return new Checksum("SHA-1", f.gitSha1(), ("blob " + f.size() + "\0").getBytes(StandardCharsets.US_ASCII));
        return new Checksum("SHA-256", null, new byte[0]);
    }

    /** Starts over: nothing hashed. */
    void reset() {
        try {
            digest = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        digest.update(header);
    }

    void update(ByteBuffer b) { digest.update(b); }

    void update(byte[] b, int off, int len) { digest.update(b, off, len); }

    /** The kind of checksum, for messages: "sha256", "git blob sha1" or "size only". */
    String label() { return expected == null ? "size only" : header.length == 0 ? "sha256" : "git blob sha1"; }

    String expected() { return expected; }

    /** The hex digest of what was hashed (ends the digest). */
    String actual() { return HexFormat.of().formatHex(digest.digest()); }
}
