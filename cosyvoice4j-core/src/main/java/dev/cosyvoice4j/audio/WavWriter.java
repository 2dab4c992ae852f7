package dev.cosyvoice4j.audio;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes mono audio as a RIFF/WAVE file incrementally and atomically: samples go to a temporary file next to the
 * target, the header sizes are patched on {@link #commit()}, and only then is the file renamed into place. Closing
 * without commit (an error, a cancel, Ctrl-C) deletes the temporary file, so no half-written WAV is ever left.
 */
public final class WavWriter implements AutoCloseable {
    /** Sample encodings: 16-bit PCM (the default, what players expect) or 32-bit IEEE float. */
    public enum Encoding { PCM16, FLOAT32 }

    private static final int HEADER_BYTES = 44;

    private final Path target;
    private final Path tmp;
    private final FileChannel channel;
    private final Encoding encoding;
    private final int sampleRateHz;
    private long dataBytes;
    private boolean committed;

    private WavWriter(Path target, Path tmp, FileChannel channel, Encoding encoding, int sampleRateHz) {
        this.target = target;
        this.tmp = tmp;
        this.channel = channel;
        this.encoding = encoding;
        this.sampleRateHz = sampleRateHz;
    }

    /** Starts writing {@code target} (its directory must exist). */
    public static WavWriter open(Path target, int sampleRateHz, Encoding encoding) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) throw new IOException("output directory does not exist: " + dir);
        Path tmp = dev.cosyvoice4j.io.PartFiles.create(dir, abs.getFileName().toString(), ".part");
        FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        WavWriter w = new WavWriter(abs, tmp, ch, encoding, sampleRateHz);
        w.writeHeader(0);
        return w;
    }

    /** Writes a whole file at once, atomically. */
    public static void write(Path target, float[] samples, int sampleRateHz, Encoding encoding) throws IOException {
        try (WavWriter w = open(target, sampleRateHz, encoding)) {
            w.append(samples);
            w.commit();
        }
    }

    /** Appends samples (clipped to [-1, 1] for PCM16). */
    public void append(float[] samples) throws IOException {
        ByteBuffer buf = encode(samples, encoding);
        while (buf.hasRemaining()) channel.write(buf, HEADER_BYTES + dataBytes + buf.position());
        dataBytes += (long) samples.length * bytesPerSample(encoding);
        if (dataBytes > 0xFFFFFFFFL - HEADER_BYTES) throw new IOException("WAV data exceeds 4 GiB");
    }

    /** Finalises the header and moves the file into place. */
    public void commit() throws IOException {
        writeHeader(dataBytes);
        channel.force(true);
        channel.close();
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        committed = true;
    }

    public long samplesWritten() { return dataBytes / bytesPerSample(encoding); }

    @Override
    public void close() throws IOException {
        if (!committed) {
            channel.close();
            Files.deleteIfExists(tmp);
        }
    }

    /** Encodes samples as WAV data bytes (little endian). */
    public static ByteBuffer encode(float[] samples, Encoding encoding) {
        ByteBuffer buf = ByteBuffer.allocate(samples.length * bytesPerSample(encoding)).order(ByteOrder.LITTLE_ENDIAN);
        for (float s : samples) {
            if (encoding == Encoding.PCM16) {
                float c = Float.isNaN(s) ? 0f : Math.max(-1f, Math.min(1f, s));
                buf.putShort((short) Math.round(c * 32767f));
            } else {
                buf.putFloat(s);
            }
        }
        return buf.flip();
    }

    /** A 44-byte canonical header; {@code dataBytes} may be 0xFFFFFFFF for an open-ended stream. */
    public static ByteBuffer header(int sampleRateHz, Encoding encoding, long dataBytes) {
        int bps = bytesPerSample(encoding);
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        h.put(new byte[] {'R', 'I', 'F', 'F'}).putInt((int) Math.min(0xFFFFFFFFL, dataBytes + 36));
        h.put(new byte[] {'W', 'A', 'V', 'E', 'f', 'm', 't', ' '}).putInt(16);
        h.putShort((short) (encoding == Encoding.PCM16 ? 1 : 3)).putShort((short) 1);
        h.putInt(sampleRateHz).putInt(sampleRateHz * bps).putShort((short) bps).putShort((short) (8 * bps));
        h.put(new byte[] {'d', 'a', 't', 'a'}).putInt((int) dataBytes);
        return h.flip();
    }

    /** Writes an open-ended streaming header to a stream (HTTP / stdout), data size unknown. */
    public static void writeStreamingHeader(OutputStream out, int sampleRateHz, Encoding encoding) throws IOException {
        out.write(header(sampleRateHz, encoding, 0xFFFFFFFFL - 36).array());
    }

    static int bytesPerSample(Encoding e) { return e == Encoding.PCM16 ? 2 : 4; }

    private void writeHeader(long data) throws IOException {
        ByteBuffer h = header(sampleRateHz, encoding, data);
        while (h.hasRemaining()) channel.write(h, h.position());
    }
}
