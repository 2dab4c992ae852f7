package dev.cosyvoice4j.io;

import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * Writes a state_dict as PyTorch's {@code torch.save} does (torch 1.13 layout: {@code <stem>/data.pkl} with
 * pickle protocol 2, {@code <stem>/data/<n>}, {@code <stem>/version}), loadable by {@code torch.load} and by
 * {@link PtArchive}. Records are STORED and 64-byte aligned (so they can be memory-mapped); ZIP64 is used when
 * a size or offset needs it. Tensor bytes are STREAMED from each entry's {@link DataSource} straight to the
 * file, so multi-GB synthetic models are never held in memory. The file appears atomically (temp + rename).
 */
public final class PtWriter {
    private static final int ALIGN = 64;
    private static final long U32_MAX = 0xffffffffL;

    /** Produces exactly {@code numel * itemsize} little-endian bytes of a tensor. */
    @FunctionalInterface
    public interface DataSource {
        void writeTo(WritableByteChannel out) throws IOException;

        /** The bytes of {@code t}. */
        static DataSource of(Tensor t) {
            return out -> writeSegment(out, t.data());
        }
    }

    /**
     * One state_dict entry. An entry whose {@code tiedTo} names an earlier entry shares that entry's storage (as
     * torch does for tied weights): its dtype and shape must match and its source is not used.
     */
    public record Entry(String name, DType dtype, long[] shape, DataSource source, String tiedTo) {
        public Entry {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(dtype, "dtype");
            shape = shape.clone();
            if (tiedTo == null) Objects.requireNonNull(source, "source of " + name);
        }

        public Entry(String name, DType dtype, long[] shape, DataSource source) {
            this(name, dtype, shape, source, null);
        }

        /** An entry with the bytes of {@code t}. */
        public static Entry of(String name, Tensor t) {
            return new Entry(name, t.dtype(), t.shape(), DataSource.of(t));
        }

        /** {@code name} shares the storage of the earlier entry {@code target}. */
        public static Entry tied(String name, String target, DType dtype, long[] shape) {
            return new Entry(name, dtype, shape, null, target);
        }

        long byteSize() { return Tensor.numel(shape) * dtype.byteSize(); }
    }

    private record Written(String name, long crc, long size, long headerOffset) {}

    private PtWriter() {}

    /** Writes {@code entries} (in this order) to {@code file}, atomically. */
    public static void write(Path file, List<Entry> entries) throws IOException {
        write(file, entries, U32_MAX);
    }

    /** As {@link #write(Path, List)}; ZIP64 fields from {@code zip64Threshold} on (tests lower it). */
    static void write(Path file, List<Entry> entries, long zip64Threshold) throws IOException {
        String fileName = file.getFileName().toString();
        String stem = fileName.endsWith(".pt") ? fileName.substring(0, fileName.length() - 3) : fileName;
        if (stem.isEmpty()) stem = "archive";
        Map<String, Integer> storageOf = new HashMap<>();
        Map<String, Entry> byName = new HashMap<>();
        List<Entry> owners = new ArrayList<>();
        for (Entry e : entries) {
            if (byName.put(e.name(), e) != null) throw new IllegalArgumentException("duplicate entry '" + e.name() + "'");
            if (e.tiedTo() != null) {
                Entry t = byName.get(e.tiedTo());
                if (t == null || !storageOf.containsKey(e.tiedTo())) {
                    throw new IllegalArgumentException("'" + e.name() + "' is tied to '" + e.tiedTo() + "', which is not an earlier entry");
                }
                if (t.dtype() != e.dtype() || !java.util.Arrays.equals(t.shape(), e.shape())) {
                    throw new IllegalArgumentException("'" + e.name() + "' is tied to '" + e.tiedTo() + "' but differs in dtype/shape");
                }
                storageOf.put(e.name(), storageOf.get(e.tiedTo()));
            } else {
                storageOf.put(e.name(), owners.size());
                owners.add(e);
            }
        }
        byte[] pickle = pickle(entries, byName, storageOf);

        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = PartFiles.create(parent, fileName, ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                List<Written> records = new ArrayList<>();
                records.add(record(ch, zip64Threshold, stem + "/data.pkl", pickle.length, out -> out.write(ByteBuffer.wrap(pickle))));
                for (int i = 0; i < owners.size(); i++) {
                    Entry e = owners.get(i);
                    records.add(record(ch, zip64Threshold, stem + "/data/" + i, e.byteSize(), e.source()));
                }
                byte[] version = "3\n".getBytes(StandardCharsets.US_ASCII);
                records.add(record(ch, zip64Threshold, stem + "/version", version.length, out -> out.write(ByteBuffer.wrap(version))));
                centralDirectory(ch, records, zip64Threshold);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    // ---- zip ---------------------------------------------------------------------------------------------

    /** Local header (with aligning padding), streamed data, then the CRC patched into the header. */
    private static Written record(FileChannel ch, long zip64Threshold, String name, long size, DataSource source) throws IOException {
        long offset = ch.position();
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        boolean zip64 = size >= zip64Threshold;
        int zip64Len = zip64 ? 20 : 0;
        long unpadded = offset + 30 + nameBytes.length + zip64Len + 4;
        int pad = (int) ((ALIGN - unpadded % ALIGN) % ALIGN);
        ByteBuffer h = le(30 + nameBytes.length + zip64Len + 4 + pad);
        h.putInt(0x04034b50).putShort((short) (zip64 ? 45 : 20)).putShort((short) 0).putShort((short) 0)
                .putShort((short) 0).putShort((short) 0x21) // time 0:00, date 1980-01-01
                .putInt(0).putInt((int) (zip64 ? U32_MAX : size)).putInt((int) (zip64 ? U32_MAX : size))
                .putShort((short) nameBytes.length).putShort((short) (zip64Len + 4 + pad)).put(nameBytes);
        if (zip64) h.putShort((short) 1).putShort((short) 16).putLong(size).putLong(size);
        h.putShort((short) 0x4246).putShort((short) pad); // "FB" padding field, as torch writes
        writeFully(ch, h.clear()); // the whole buffer, zero padding included

        CrcChannel out = new CrcChannel(ch, size, name);
        source.writeTo(out);
        if (out.count != size) throw new IOException(name + ": data source wrote " + out.count + " of " + size + " bytes");
        long end = ch.position();
        ByteBuffer crc = le(4).putInt((int) out.crc.getValue()).flip();
        ch.write(crc, offset + 14);
        ch.position(end);
        return new Written(name, out.crc.getValue(), size, offset);
    }

    private static void centralDirectory(FileChannel ch, List<Written> records, long zip64Threshold) throws IOException {
        long cdStart = ch.position();
        for (Written r : records) {
            byte[] n = r.name().getBytes(StandardCharsets.UTF_8);
            boolean bigSize = r.size() >= zip64Threshold, bigOff = r.headerOffset() >= zip64Threshold;
            int extra = (bigSize || bigOff) ? 4 + (bigSize ? 16 : 0) + (bigOff ? 8 : 0) : 0;
            ByteBuffer c = le(46 + n.length + extra);
            c.putInt(0x02014b50).putShort((short) 45).putShort((short) (extra > 0 ? 45 : 20)).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0).putShort((short) 0x21).putInt((int) r.crc())
                    .putInt((int) (bigSize ? U32_MAX : r.size())).putInt((int) (bigSize ? U32_MAX : r.size()))
                    .putShort((short) n.length).putShort((short) extra).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putInt(0).putInt((int) (bigOff ? U32_MAX : r.headerOffset())).put(n);
            if (extra > 0) {
                c.putShort((short) 1).putShort((short) (extra - 4));
                if (bigSize) c.putLong(r.size()).putLong(r.size());
                if (bigOff) c.putLong(r.headerOffset());
            }
            writeFully(ch, c.flip());
        }
        long cdEnd = ch.position(), cdSize = cdEnd - cdStart;
        boolean zip64 = records.size() >= 0xffff || cdStart >= zip64Threshold || cdSize >= zip64Threshold;
        if (zip64) {
            ByteBuffer z = le(56 + 20);
            z.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0)
                    .putLong(records.size()).putLong(records.size()).putLong(cdSize).putLong(cdStart);
            z.putInt(0x07064b50).putInt(0).putLong(cdEnd).putInt(1);
            writeFully(ch, z.flip());
        }
        ByteBuffer e = le(22);
        int count = zip64 ? 0xffff : records.size();
        e.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) count).putShort((short) count)
                .putInt((int) (zip64 ? U32_MAX : cdSize)).putInt((int) (zip64 ? U32_MAX : cdStart)).putShort((short) 0);
        writeFully(ch, e.flip());
    }

    /** Counts and checksums what a {@link DataSource} writes; refuses more than declared. */
    private static final class CrcChannel implements WritableByteChannel {
        final FileChannel ch;
        final long limit;
        final String name;
        final CRC32 crc = new CRC32();
        long count;

        CrcChannel(FileChannel ch, long limit, String name) { this.ch = ch; this.limit = limit; this.name = name; }

        @Override
        public int write(ByteBuffer src) throws IOException {
            if (count + src.remaining() > limit) {
                throw new IOException(name + ": data source writes more than the declared " + limit + " bytes");
            }
            ByteBuffer dup = src.duplicate();
            int n = ch.write(src);
            dup.limit(dup.position() + n);
            crc.update(dup);
            count += n;
            return n;
        }

        @Override public boolean isOpen() { return ch.isOpen(); }
        @Override public void close() {}
    }

    /** Writes a memory segment (heap or native) to a channel through a 1 MiB buffer. */
    public static void writeSegment(WritableByteChannel out, MemorySegment seg) throws IOException {
        byte[] chunk = new byte[(int) Math.min(1 << 20, Math.max(1, seg.byteSize()))];
        for (long p = 0; p < seg.byteSize(); p += chunk.length) {
            int n = (int) Math.min(chunk.length, seg.byteSize() - p);
            MemorySegment.copy(seg, java.lang.foreign.ValueLayout.JAVA_BYTE, p, chunk, 0, n);
            writeFully(out, ByteBuffer.wrap(chunk, 0, n));
        }
    }

    private static void writeFully(WritableByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    private static ByteBuffer le(int n) { return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN); }

    // ---- pickle (protocol 2, as torch.save writes a state_dict) -------------------------------------------

    private static byte[] pickle(List<Entry> entries, Map<String, Entry> byName, Map<String, Integer> storageOf) {
        PickleOut p = new PickleOut();
        p.op(0x80).op(2);
        p.global("collections", "OrderedDict").op(')').op('R');
        p.op('(');
        for (Entry e : entries) {
            Entry owner = e.tiedTo() == null ? e : byName.get(e.tiedTo());
            int key = storageOf.get(e.name());
            long[] shape = e.shape();
            long[] stride = new long[shape.length];
            long s = 1;
            for (int i = shape.length - 1; i >= 0; i--) { stride[i] = s; s *= shape[i]; }
            p.str(e.name()).global("torch._utils", "_rebuild_tensor_v2").op('(');
            p.op('(').str("storage").global("torch", storageClass(e.dtype())).str(Integer.toString(key)).str("cpu")
                    .integer(Tensor.numel(owner.shape())).op('t').op('Q');
            p.integer(0).tuple(shape).tuple(stride).op(0x89);
            p.global("collections", "OrderedDict").op(')').op('R');
            p.op('t').op('R');
        }
        p.op('u').op('.');
        return p.out.toByteArray();
    }

    private static String storageClass(DType t) {
        return switch (t) {
            case F32 -> "FloatStorage"; case F16 -> "HalfStorage"; case BF16 -> "BFloat16Storage";
            case F64 -> "DoubleStorage"; case I64 -> "LongStorage"; case I32 -> "IntStorage";
            case I16 -> "ShortStorage"; case I8 -> "CharStorage"; case U8 -> "ByteStorage"; case BOOL -> "BoolStorage";
            case Q8_0, Q4_0 -> throw new IllegalArgumentException(t + " (block-quantised) has no torch storage");
        };
    }

    private static final class PickleOut {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        PickleOut op(int op) { out.write(op); return this; }

        PickleOut global(String module, String name) {
            out.write('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        PickleOut str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.write('X');
            le32(b.length);
            out.writeBytes(b);
            return this;
        }

        PickleOut integer(long v) {
            if (v >= 0 && v < 256) return op('K').op((int) v);
            if (v >= 0 && v < 65536) return op('M').op((int) v & 0xff).op((int) (v >>> 8));
            if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) { out.write('J'); le32((int) v); return this; }
            out.write(0x8a);
            out.write(8);
            for (int i = 0; i < 8; i++) out.write((int) (v >>> (8 * i)) & 0xff);
            return this;
        }

        PickleOut tuple(long[] vs) {
            op('(');
            for (long v : vs) integer(v);
            return op('t');
        }

        void le32(int v) { for (int i = 0; i < 4; i++) out.write((v >>> (8 * i)) & 0xff); }
    }
}
