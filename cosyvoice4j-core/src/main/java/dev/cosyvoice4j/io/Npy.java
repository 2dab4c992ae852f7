package dev.cosyvoice4j.io;

import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} (format 1.0/2.0/3.0) reader and writer for little-endian C-order arrays of the dtypes
 * in {@link DType}. Read data is copied to the heap (golden files are small).
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    public static Tensor read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read: " + e.getMessage(), e);
        }
        return parse(file, bytes);
    }

    static Tensor parse(Path file, byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10) throw new ModelFormatException(file, "not an .npy file (too short)");
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) throw new ModelFormatException(file, "not an .npy file (bad magic)");
        }
        int major = bytes[6];
        long headerLen;
        int headerStart;
        if (major == 1) {
            headerLen = buf.getShort(8) & 0xffff;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) throw new ModelFormatException(file, "truncated .npy header");
            headerLen = buf.getInt(8) & 0xffffffffL;
            headerStart = 12;
        } else {
            throw new ModelFormatException(file, "unsupported .npy version " + major);
        }
        if (headerStart + headerLen > bytes.length) throw new ModelFormatException(file, "truncated .npy header");
        String header = new String(bytes, headerStart, (int) headerLen,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header), o = ORDER.matcher(header), s = SHAPE.matcher(header);
        if (!d.find() || !o.find() || !s.find()) throw new ModelFormatException(file, "malformed .npy header: " + header.trim());
        if (o.group(1).equals("True")) throw new ModelFormatException(file, "Fortran-order arrays are not supported");
        DType dtype = dtypeOf(file, d.group(1));
        List<Long> dims = new ArrayList<>();
        for (String part : s.group(1).split(",")) {
            if (part.isBlank()) continue;
            try {
                dims.add(Long.parseLong(part.trim()));
            } catch (NumberFormatException e) {
                throw new ModelFormatException(file, "malformed .npy shape (" + s.group(1) + ")");
            }
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        long nbytes;
        try {
            nbytes = Math.multiplyExact(Tensor.numel(shape), dtype.byteSize());
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw new ModelFormatException(file, "invalid .npy shape (" + s.group(1) + ")");
        }
        long dataStart = headerStart + headerLen;
        if (nbytes > bytes.length - dataStart) {
            throw new ModelFormatException(file, "data runs past the end of the file (" + nbytes + " bytes declared)");
        }
        MemorySegment seg = Arena.ofAuto().allocate(Math.max(1, nbytes), 8).asSlice(0, nbytes);
        MemorySegment.copy(MemorySegment.ofArray(bytes), dataStart, seg, 0, nbytes);
        return new Tensor(dtype, shape, seg);
    }

    private static DType dtypeOf(Path file, String descr) {
        return switch (descr) {
            case "<f4" -> DType.F32;
            case "<f8" -> DType.F64;
            case "<f2" -> DType.F16;
            case "<i8" -> DType.I64;
            case "<i4" -> DType.I32;
            case "<i2" -> DType.I16;
            case "|i1" -> DType.I8;
            case "|u1" -> DType.U8;
            case "|b1" -> DType.BOOL;
            default -> throw new ModelFormatException(file, "unsupported .npy dtype '" + descr + "'");
        };
    }

    private static String descrOf(DType t) {
        return switch (t) {
            case F32 -> "<f4"; case F64 -> "<f8"; case F16 -> "<f2"; case I64 -> "<i8"; case I32 -> "<i4";
            case I16 -> "<i2"; case I8 -> "|i1"; case U8 -> "|u1"; case BOOL -> "|b1";
            case BF16 -> throw new IllegalArgumentException("bf16 has no .npy dtype");
            case Q8_0, Q4_0 -> throw new IllegalArgumentException(t + " (block-quantised) has no .npy dtype");
        };
    }

    /** Writes {@code t} as a version 1.0 .npy file, atomically (temp file + rename). */
    public static void write(Path file, Tensor t) throws IOException {
        StringBuilder shape = new StringBuilder("(");
        for (long d : t.shape()) shape.append(d).append(", ");
        if (t.rank() > 0) shape.setLength(shape.length() - (t.rank() == 1 ? 1 : 2));
        shape.append(")");
        String h = "{'descr': '" + descrOf(t.dtype()) + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int total = MAGIC.length + 4 + h.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = h + " ".repeat(pad) + "\n";
        long nbytes = t.numel() * t.dtype().byteSize();
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(10 + header.length() + nbytes)).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        out.put(header.getBytes(StandardCharsets.ISO_8859_1));
        // ofArray, not ofBuffer: a heap buffer's segment starts at its position, which would count the header twice
        MemorySegment.copy(t.data(), 0, MemorySegment.ofArray(out.array()), out.position(), nbytes);
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = PartFiles.create(parent, file.getFileName().toString(), ".tmp");
        try {
            Files.write(tmp, out.array());
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
