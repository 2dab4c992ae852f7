package dev.cosyvoice4j.frontend.audio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * RIFF/WAVE decoder with the float mapping of {@code torchaudio.load(backend='soundfile')} (libsndfile):
 * PCM 8 ((u - 128) / 128), 16 (s / 32768), 24 (s / 2^23), 32 (float(s) / 2^31), IEEE float 32 (as stored) and
 * float 64 (cast to float), plain or WAVE_FORMAT_EXTENSIBLE; channels are mixed to mono by their mean like
 * {@code load_wav} ({@code speech.mean(dim=0)}: float sum over channels, then / channels).
 *
 * <p>The header is parsed first and the duration checked against the caller's limit before any sample is
 * read, so a ten-minute file is refused after reading a few dozen bytes. Corrupt headers, empty or truncated
 * data chunks and unsupported encodings raise {@link AudioFormatException} saying what was found.
 *
 * <p>Ports {@code cosyvoice/utils/file_utils.py:load_wav} (decode + channel mean). Checked by the golden cases
 * {@code frontend/*}{@code /decode} (sum, sum_abs, first8, last8 exact).
 */
public final class WavReader {
    /** WAVE_FORMAT_PCM, WAVE_FORMAT_IEEE_FLOAT, WAVE_FORMAT_EXTENSIBLE. */
    static final int PCM = 1, IEEE_FLOAT = 3, EXTENSIBLE = 0xFFFE;
    /** Streaming writers leave this in the data size; it means "up to the end of the file". */
    private static final long SIZE_UNKNOWN = 0xFFFFFFFFL;
    private static final int MAX_CHANNELS = 256;
    private static final int MAX_SAMPLE_RATE = 1_536_000;

    private WavReader() {}

    /**
     * What the header says.
     *
     * @param formatTag  1 (PCM) or 3 (IEEE float), after resolving WAVE_FORMAT_EXTENSIBLE
     * @param dataOffset byte offset of the first sample
     * @param frames     complete frames in the data chunk
     */
    public record WavInfo(Path file, int formatTag, boolean extensible, int channels, int sampleRateHz,
                          int bitsPerSample, int blockAlign, long dataOffset, long frames) {
        public double durationSeconds() { return (double) frames / sampleRateHz; }

        /** E.g. "PCM 16-bit" or "IEEE float 32-bit (extensible)". */
        public String encoding() {
            return (formatTag == PCM ? "PCM " : "IEEE float ") + bitsPerSample + "-bit" + (extensible ? " (extensible)" : "");
        }
    }

    /** Random-access bytes: a file channel or an in-memory array. */
    interface Source {
        long size() throws IOException;

        /** Reads up to dst.remaining() bytes at pos; -1 at the end. */
        int read(ByteBuffer dst, long pos) throws IOException;

        static Source of(FileChannel ch) {
            return new Source() {
                public long size() throws IOException { return ch.size(); }
                public int read(ByteBuffer dst, long pos) throws IOException { return ch.read(dst, pos); }
            };
        }

        static Source of(byte[] bytes) {
            return new Source() {
                public long size() { return bytes.length; }
                public int read(ByteBuffer dst, long pos) {
                    if (pos >= bytes.length) return -1;
                    int n = (int) Math.min(dst.remaining(), bytes.length - pos);
                    dst.put(bytes, (int) pos, n);
                    return n;
                }
            };
        }
    }

    /** Reads and validates the header only. */
    public static WavInfo probe(Path file) {
        try (FileChannel ch = open(file)) {
            return parseHeader(file, Source.of(ch));
        } catch (IOException e) {
            throw new AudioFormatException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /** Decodes the whole file (no duration limit other than what fits in a Java array). */
    public static DecodedAudio read(Path file) {
        return read(file, Double.POSITIVE_INFINITY, "");
    }

    /**
     * Decodes the file if it is at most {@code maxSeconds} long; else throws {@link AudioTooLongException}
     * (with {@code limitReason} in its message) before reading the samples.
     */
    public static DecodedAudio read(Path file, double maxSeconds, String limitReason) {
        try (FileChannel ch = open(file)) {
            return read(file, Source.of(ch), maxSeconds, limitReason);
        } catch (IOException e) {
            throw new AudioFormatException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Decodes a WAV held in memory (e.g. an upload); {@code name} is used in error messages. Same checks and
     * limit as {@link #read(Path, double, String)}.
     */
    public static DecodedAudio read(byte[] wav, String name, double maxSeconds, String limitReason) {
        Path file = Path.of(name.replace('\0', '_'));
        try {
            return read(file, Source.of(wav), maxSeconds, limitReason);
        } catch (IOException e) {
            throw new AudioFormatException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    private static DecodedAudio read(Path file, Source ch, double maxSeconds, String limitReason) throws IOException {
        WavInfo info = parseHeader(file, ch);
        if (info.durationSeconds() > maxSeconds) {
            throw new AudioTooLongException(file, info.durationSeconds(), maxSeconds, limitReason);
        }
        long bytes = info.frames() * info.blockAlign();
        if (bytes > Integer.MAX_VALUE - 16 || info.frames() > Integer.MAX_VALUE - 16) {
            throw new AudioFormatException(file, String.format("%.1f s of %s audio is too large to decode at once",
                    info.durationSeconds(), info.encoding()));
        }
        ByteBuffer data = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, data, info.dataOffset());
        data.flip();
        return new DecodedAudio(decode(info, data), info.sampleRateHz(), info.channels(), info.encoding());
    }

    private static FileChannel open(Path file) throws IOException {
        if (Files.isDirectory(file)) throw new AudioFormatException(file, "is a directory, not a WAV file");
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new AudioFormatException(file, "no such file", e);
        }
    }

    static WavInfo parseHeader(Path file, Source ch) throws IOException {
        long size = ch.size();
        if (size == 0) throw new AudioFormatException(file, "empty file (0 bytes), not a WAV file");
        ByteBuffer head = read(ch, 0, 12);
        if (head.remaining() < 12) throw new AudioFormatException(file, "only " + size + " bytes, too short for a WAV header");
        String riff = fourCc(head, 0), wave = fourCc(head, 8);
        if (riff.equals("RF64") || riff.equals("BW64")) {
            throw new AudioFormatException(file, riff + " (64-bit WAV) is not supported; convert to a plain RIFF/WAVE file");
        }
        if (!riff.equals("RIFF") || !wave.equals("WAVE")) {
            throw new AudioFormatException(file, "not a RIFF/WAVE file (starts with '" + printable(riff) + "', form '"
                    + printable(wave) + "')");
        }
        ByteBuffer fmt = null;
        long dataOffset = -1, dataSize = -1;
        long pos = 12;
        while (pos + 8 <= size && (fmt == null || dataOffset < 0)) {
            ByteBuffer h = read(ch, pos, 8);
            String id = fourCc(h, 0);
            long chunkSize = Integer.toUnsignedLong(h.getInt(4));
            long body = pos + 8;
            if (!isPrintable(id)) {
                throw new AudioFormatException(file, String.format("corrupt chunk header at byte %d (id bytes %s)", pos, hex(h)));
            }
            if (id.equals("fmt ")) {
                if (chunkSize < 16) throw new AudioFormatException(file, "fmt chunk is " + chunkSize + " bytes, at least 16 needed");
                if (body + Math.min(chunkSize, 40) > size) throw new AudioFormatException(file, "fmt chunk is cut off by the end of the file");
                fmt = read(ch, body, (int) Math.min(chunkSize, 40));
            } else if (id.equals("data")) {
                dataOffset = body;
                dataSize = chunkSize;
                if (fmt == null && chunkSize == SIZE_UNKNOWN) break;
            }
            if (chunkSize == SIZE_UNKNOWN) break;
            pos = body + chunkSize + (chunkSize & 1);   // chunks are word-aligned
        }
        if (fmt == null) throw new AudioFormatException(file, "no 'fmt ' chunk before the end of the file (corrupt header)");
        if (dataOffset < 0) throw new AudioFormatException(file, "no 'data' chunk (header only, no audio)");

        int tag = Short.toUnsignedInt(fmt.getShort(0));
        int channels = Short.toUnsignedInt(fmt.getShort(2));
        long rate = Integer.toUnsignedLong(fmt.getInt(4));
        int blockAlign = Short.toUnsignedInt(fmt.getShort(12));
        int bits = Short.toUnsignedInt(fmt.getShort(14));
        boolean extensible = tag == EXTENSIBLE;
        if (extensible) {
            if (fmt.limit() < 40) throw new AudioFormatException(file, "WAVE_FORMAT_EXTENSIBLE fmt chunk is " + fmt.limit() + " bytes, 40 needed");
            tag = Short.toUnsignedInt(fmt.getShort(24));   // first two bytes of the sub-format GUID
        }
        if (tag != PCM && tag != IEEE_FLOAT) {
            throw new AudioFormatException(file, "unsupported WAV encoding: format tag 0x" + Integer.toHexString(tag)
                    + " (" + tagName(tag) + "); only PCM and IEEE float are supported");
        }
        if (channels == 0) throw new AudioFormatException(file, "header says 0 channels (corrupt header)");
        if (channels > MAX_CHANNELS) throw new AudioFormatException(file, "header says " + channels + " channels (corrupt header?)");
        if (rate == 0 || rate > MAX_SAMPLE_RATE) throw new AudioFormatException(file, "header says sample rate " + rate + " Hz (corrupt header?)");
        boolean bitsOk = tag == PCM ? bits == 8 || bits == 16 || bits == 24 || bits == 32 : bits == 32 || bits == 64;
        if (!bitsOk) {
            throw new AudioFormatException(file, "unsupported bit depth: " + (tag == PCM ? "PCM " : "IEEE float ") + bits
                    + "-bit (supported: PCM 8/16/24/32, float 32/64)");
        }
        if (blockAlign != channels * (bits / 8)) {
            throw new AudioFormatException(file, "block align " + blockAlign + " does not match " + channels + " channels x "
                    + bits + " bits (corrupt header)");
        }
        long available = size - dataOffset;
        long bytes;
        if (dataSize == SIZE_UNKNOWN) {
            bytes = available;
        } else if (dataSize > available) {
            throw new AudioFormatException(file, String.format(
                    "truncated: the data chunk declares %d bytes (%.2f s) but only %d bytes (%.2f s) follow", dataSize,
                    (double) dataSize / blockAlign / rate, available, (double) available / blockAlign / rate));
        } else {
            bytes = dataSize;
        }
        long frames = bytes / blockAlign;
        if (frames == 0) throw new AudioFormatException(file, "the data chunk is empty (" + bytes + " bytes, 0 audio frames)");
        return new WavInfo(file, tag, extensible, channels, (int) rate, bits, blockAlign, dataOffset, frames);
    }

    /** Decodes interleaved frames and mixes them to mono. */
    static float[] decode(WavInfo info, ByteBuffer data) {
        int c = info.channels();
        int n = Math.toIntExact(info.frames());
        float[] out = new float[n];
        int bytesPerSample = info.bitsPerSample() / 8;
        for (int i = 0; i < n; i++) {
            int base = i * info.blockAlign();
            float sum = 0f;
            for (int ch = 0; ch < c; ch++) sum += sample(info, data, base + ch * bytesPerSample);
            out[i] = c == 1 ? sum : sum / c;
        }
        return out;
    }

    private static float sample(WavInfo info, ByteBuffer b, int at) {
        if (info.formatTag() == IEEE_FLOAT) {
            return info.bitsPerSample() == 32 ? b.getFloat(at) : (float) b.getDouble(at);
        }
        return switch (info.bitsPerSample()) {
            case 8 -> ((b.get(at) & 0xFF) - 128) * (1f / 128);
            case 16 -> b.getShort(at) * (1f / 32768);
            case 24 -> ((b.get(at) & 0xFF) | (b.get(at + 1) & 0xFF) << 8 | b.get(at + 2) << 16) * (1f / 8388608);
            default -> (float) b.getInt(at) * (1f / 2147483648f);
        };
    }

    private static ByteBuffer read(Source ch, long pos, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, b, pos);
        b.flip();
        return b;
    }

    private static void readFully(Source ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int r = ch.read(b, pos + b.position());
            if (r < 0) break;
        }
    }

    private static String fourCc(ByteBuffer b, int at) {
        char[] c = new char[4];
        for (int i = 0; i < 4; i++) c[i] = (char) (b.get(at + i) & 0xFF);
        return new String(c);
    }

    private static boolean isPrintable(String id) {
        for (int i = 0; i < id.length(); i++) if (id.charAt(i) < 0x20 || id.charAt(i) > 0x7E) return false;
        return true;
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char ch : s.toCharArray()) sb.append(ch >= 0x20 && ch <= 0x7E ? String.valueOf(ch) : String.format("\\x%02x", (int) ch));
        return sb.toString();
    }

    private static String hex(ByteBuffer b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4; i++) sb.append(String.format("%02x", b.get(i) & 0xFF));
        return sb.toString();
    }

    private static String tagName(int tag) {
        return switch (tag) {
            case 2 -> "MS ADPCM";
            case 6 -> "A-law";
            case 7 -> "mu-law";
            case 0x11 -> "IMA ADPCM";
            case 0x55 -> "MP3";
            default -> "compressed or unknown";
        };
    }
}
