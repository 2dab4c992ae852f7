package dev.cosyvoice4j.frontend;

import dev.cosyvoice4j.io.ModelFormatException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32;

/**
 * The saved-speaker file ({@code .cvspk}): a fixed little-endian header, the three arrays, a CRC32.
 *
 * <pre>
 * offset  size  field
 *  0       8    magic "CV4JSPK\0"
 *  8       4    u32 format version (1)
 * 12       4    i32 token count N
 * 16       4    i32 mel frames T
 * 20       4    i32 mel bins M
 * 24       4    i32 embedding dim D
 * 28       4    i32 flags (0)
 * 32     4 N    i32 speech tokens
 *  ..    4 T M  f32 prompt mel, row-major [T, M]
 *  ..    4 D    f32 speaker embedding
 *  end-4   4    u32 CRC32 of every preceding byte
 * </pre>
 *
 * Reading checks the magic, version, sizes (the file length must match exactly), CRC, finite floats and
 * non-negative tokens, and names the problem. Writing goes to a temp file in the same directory, is forced to
 * disk and renamed over the target, so a crash never leaves a half-written speaker.
 */
public final class PromptFeaturesFile {
    public static final int VERSION = 1;
    static final byte[] MAGIC = {'C', 'V', '4', 'J', 'S', 'P', 'K', 0};
    static final int HEADER_BYTES = 32;
    private static final int MAX_COUNT = 1 << 24;

    private PromptFeaturesFile() {}

    public static void write(Path file, PromptFeatures p) throws IOException {
        int[] tokens = p.speechTokens();
        float[] feat = p.speechFeat(), emb = p.embedding();
        long size = HEADER_BYTES + 4L * (tokens.length + feat.length + emb.length) + 4;
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(size)).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(VERSION).putInt(tokens.length).putInt(p.featFrames()).putInt(p.melBins()).putInt(emb.length).putInt(0);
        for (int t : tokens) b.putInt(t);
        for (float v : feat) b.putFloat(v);
        for (float v : emb) b.putFloat(v);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        b.flip();

        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) Files.createDirectories(dir);
        Path tmp = dev.cosyvoice4j.io.PartFiles.create(dir, abs.getFileName().toString(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                while (b.hasRemaining()) ch.write(b);
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static PromptFeatures read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file, "no such speaker file");
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read speaker file: " + e.getMessage(), e);
        }
        if (bytes.length < HEADER_BYTES + 4) {
            throw new ModelFormatException(file, "not a speaker file: " + bytes.length + " bytes, the header alone is " + (HEADER_BYTES + 4));
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) throw new ModelFormatException(file, "not a cosyvoice4j speaker file (bad magic)");
        }
        int version = b.getInt(8);
        if (version != VERSION) {
            throw new ModelFormatException(file, "speaker file format version " + Integer.toUnsignedString(version)
                    + " is not supported (this build reads version " + VERSION + ")");
        }
        int n = b.getInt(12), t = b.getInt(16), m = b.getInt(20), d = b.getInt(24), flags = b.getInt(28);
        if (n < 0 || n > MAX_COUNT || t < 0 || t > MAX_COUNT || m < 1 || m > 4096 || d < 1 || d > 65536 || flags != 0) {
            throw new ModelFormatException(file, String.format(
                    "corrupt speaker file header (tokens %d, frames %d, bins %d, embedding %d, flags %d)", n, t, m, d, flags));
        }
        long expected = HEADER_BYTES + 4L * (n + (long) t * m + d) + 4;
        if (expected != bytes.length) {
            throw new ModelFormatException(file, "speaker file is " + bytes.length + " bytes but its header describes "
                    + expected + (bytes.length < expected ? " (truncated)" : " (trailing data)"));
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 4);
        int stored = b.getInt(bytes.length - 4);
        if (stored != (int) crc.getValue()) {
            throw new ModelFormatException(file, String.format("speaker file checksum mismatch (stored %08x, computed %08x): corrupt file",
                    stored, (int) crc.getValue()));
        }
        b.position(HEADER_BYTES);
        int[] tokens = new int[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = b.getInt();
            if (tokens[i] < 0) throw new ModelFormatException(file, "negative speech token " + tokens[i] + " at " + i);
        }
        float[] feat = readFloats(b, t * m, file, "prompt mel");
        float[] emb = readFloats(b, d, file, "embedding");
        return new PromptFeatures(tokens, feat, t, m, emb);
    }

    private static float[] readFloats(ByteBuffer b, int n, Path file, String what) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = b.getFloat();
            if (!Float.isFinite(out[i])) throw new ModelFormatException(file, "non-finite value in the " + what + " at " + i);
        }
        return out;
    }
}
