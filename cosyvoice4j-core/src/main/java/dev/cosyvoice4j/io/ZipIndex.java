package dev.cosyvoice4j.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The records of a zip archive that is mapped into memory, read by hand from its central directory
 * (java.util.zip cannot tell where a record's bytes lie in the file, which mmap needs). Supports ZIP64 (the real
 * llm.pt is ~2 GB). Every offset and size is checked against the file, so a hostile or truncated archive gives a
 * {@link ModelFormatException}, never an out-of-bounds read. Only the index is built here; a record's data is
 * located (and its local header checked) by {@link #data(String)}.
 */
final class ZipIndex {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final int EOCD_SIG = 0x06054b50, ZIP64_LOCATOR_SIG = 0x07064b50, ZIP64_EOCD_SIG = 0x06064b50;
    private static final int CEN_SIG = 0x02014b50, LOC_SIG = 0x04034b50;
    private static final int MAX_ENTRIES = 1_000_000; // a state_dict of a million tensors is not a model we can run

    /** One central-directory entry. */
    record Entry(String name, int method, int flags, long compressedSize, long size, long localHeaderOffset) {}

    private final Path file;
    private final MemorySegment seg;
    private final long fileSize;
    private final Map<String, Entry> entries;

    private ZipIndex(Path file, MemorySegment seg, Map<String, Entry> entries) {
        this.file = file;
        this.seg = seg;
        this.fileSize = seg.byteSize();
        this.entries = Collections.unmodifiableMap(entries);
    }

    /** Parses the central directory of the archive mapped in {@code seg}. */
    static ZipIndex read(Path file, MemorySegment seg) {
        long size = seg.byteSize();
        if (size < 22) throw new ModelFormatException(file, "truncated or not a zip archive (" + size + " bytes)");
        // The end-of-central-directory record is the last 22 bytes plus a comment of up to 65535 bytes.
        long eocd = -1;
        for (long p = size - 22; p >= Math.max(0, size - 22 - 65535); p--) {
            if (seg.get(U32, p) == EOCD_SIG && p + 22 + u16(seg, p + 20) == size) { eocd = p; break; }
        }
        if (eocd < 0) {
            boolean legacy = seg.get(ValueLayout.JAVA_BYTE, 0) == (byte) 0x80;
            throw new ModelFormatException(file, legacy
                    ? "legacy (pre-1.6, non-zip) torch.save format is not supported; re-save it with torch >= 1.6"
                    : "truncated or not a zip archive (no end-of-central-directory record)");
        }
        long count = u16(seg, eocd + 10);
        long cdSize = u32(seg, eocd + 12);
        long cdOffset = u32(seg, eocd + 16);
        if (count == 0xffff || cdSize == 0xffffffffL || cdOffset == 0xffffffffL) {
            long loc = eocd - 20;
            if (loc < 0 || seg.get(U32, loc) != ZIP64_LOCATOR_SIG) {
                throw new ModelFormatException(file, "truncated zip archive (ZIP64 locator missing)");
            }
            long z = seg.get(U64, loc + 8);
            if (z < 0 || z + 56 > loc || seg.get(U32, z) != ZIP64_EOCD_SIG) {
                throw new ModelFormatException(file, "corrupt zip archive (bad ZIP64 end-of-central-directory offset " + z + ")");
            }
            count = seg.get(U64, z + 32);
            cdSize = seg.get(U64, z + 40);
            cdOffset = seg.get(U64, z + 48);
        }
        if (count < 0 || count > MAX_ENTRIES || cdSize < 0 || cdOffset < 0 || cdOffset + cdSize > eocd) {
            throw new ModelFormatException(file, "truncated or corrupt zip archive (central directory of "
                    + cdSize + " bytes at " + cdOffset + " does not fit the file)");
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        long p = cdOffset, end = cdOffset + cdSize;
        for (long i = 0; i < count; i++) {
            if (p + 46 > end || seg.get(U32, p) != CEN_SIG) {
                throw new ModelFormatException(file, "corrupt zip archive (bad central directory entry " + i + ")");
            }
            int flags = u16(seg, p + 8), method = u16(seg, p + 10);
            long csize = u32(seg, p + 20), usize = u32(seg, p + 24);
            int nameLen = u16(seg, p + 28), extraLen = u16(seg, p + 30), commentLen = u16(seg, p + 32);
            long lho = u32(seg, p + 42);
            long next = p + 46 + nameLen + extraLen + commentLen;
            if (next > end) throw new ModelFormatException(file, "corrupt zip archive (central directory entry " + i + " overruns)");
            String name = new String(seg.asSlice(p + 46, nameLen).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            // ZIP64 extended information: only the fields whose 32-bit value is saturated, in this order.
            long x = p + 46 + nameLen, xEnd = x + extraLen;
            while (x + 4 <= xEnd) {
                int id = u16(seg, x), len = u16(seg, x + 2);
                if (x + 4 + len > xEnd) throw new ModelFormatException(file, "corrupt zip extra field in entry '" + name + "'");
                if (id == 0x0001) {
                    long q = x + 4, qEnd = q + len;
                    if (usize == 0xffffffffL) { usize = need8(file, seg, q, qEnd, name); q += 8; }
                    if (csize == 0xffffffffL) { csize = need8(file, seg, q, qEnd, name); q += 8; }
                    if (lho == 0xffffffffL) { lho = need8(file, seg, q, qEnd, name); }
                }
                x += 4 + len;
            }
            if (csize < 0 || usize < 0 || lho < 0 || lho >= cdOffset) {
                throw new ModelFormatException(file, "corrupt zip archive (entry '" + name + "' has offset/size outside the file)");
            }
            if (entries.put(name, new Entry(name, method, flags, csize, usize, lho)) != null) {
                throw new ModelFormatException(file, "corrupt zip archive (duplicate entry '" + name + "')");
            }
            p = next;
        }
        refuseOverlaps(file, entries);
        return new ZipIndex(file, seg, entries);
    }

    /**
     * Each record spans at least its 30-byte local header and its compressed bytes; two records whose spans overlap
     * are two views of the same bytes under different names (a zip-bomb and parser-confusion trick), never what
     * torch.save writes.
     */
    private static void refuseOverlaps(Path file, Map<String, Entry> entries) {
        Entry[] byOffset = entries.values().toArray(Entry[]::new);
        java.util.Arrays.sort(byOffset, java.util.Comparator.comparingLong(Entry::localHeaderOffset));
        for (int i = 1; i < byOffset.length; i++) {
            Entry a = byOffset[i - 1], b = byOffset[i];
            long aEnd = a.localHeaderOffset() + 30 + a.compressedSize();
            if (aEnd < a.localHeaderOffset() || b.localHeaderOffset() < aEnd) {
                throw new ModelFormatException(file, "corrupt zip archive (records '" + a.name() + "' and '" + b.name() + "' overlap)");
            }
        }
    }

    private static long need8(Path file, MemorySegment seg, long q, long qEnd, String name) {
        if (q + 8 > qEnd) throw new ModelFormatException(file, "corrupt ZIP64 extra field in entry '" + name + "'");
        return seg.get(U64, q);
    }

    private static int u16(MemorySegment s, long p) { return s.get(U16, p) & 0xffff; }

    private static long u32(MemorySegment s, long p) { return s.get(U32, p) & 0xffffffffL; }

    /** Entries in central-directory order. */
    Map<String, Entry> entries() { return entries; }

    /**
     * The bytes of a STORED record, as a slice of the mapping. Throws if the record is compressed, encrypted, or
     * its local header or data lie outside the file.
     */
    MemorySegment data(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new ModelFormatException(file, "missing zip record '" + name + "'");
        if ((e.flags() & 1) != 0) throw new ModelFormatException(file, "record '" + name + "' is encrypted");
        if (e.method() != 0) {
            throw new ModelFormatException(file, "record '" + name + "' is compressed (zip method " + e.method()
                    + "); only STORED records can be memory-mapped (save with torch.save, do not re-zip)");
        }
        if (e.compressedSize() != e.size()) {
            throw new ModelFormatException(file, "corrupt zip archive (stored record '" + name + "' has different sizes)");
        }
        long h = e.localHeaderOffset();
        if (h + 30 > fileSize) throw new ModelFormatException(file, "truncated zip archive (local header of '" + name + "')");
        if (seg.get(U32, h) != LOC_SIG) throw new ModelFormatException(file, "corrupt zip archive (bad local header of '" + name + "')");
        if ((e.flags() & 8) == 0) { // no data descriptor: the local header repeats the sizes, and must agree
            long localC = u32(seg, h + 18), localU = u32(seg, h + 22);
            if ((localC != 0 && localC != 0xffffffffL && localC != e.compressedSize())
                    || (localU != 0 && localU != 0xffffffffL && localU != e.size())) {
                throw new ModelFormatException(file, "corrupt zip archive (record '" + name + "': local header says "
                        + localU + " bytes, central directory " + e.size() + ")");
            }
        }
        long start = h + 30 + u16(seg, h + 26) + u16(seg, h + 28);
        if (start + e.size() > fileSize || start + e.size() < start) {
            throw new ModelFormatException(file, "truncated zip archive (record '" + name + "' runs past the end of the file)");
        }
        return seg.asSlice(start, e.size());
    }
}
