package dev.cosyvoice4j.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Counts the initializers (weights) of an ONNX model by walking its protobuf encoding directly
 * (ModelProto.graph = 7, GraphProto.initializer = 5, TensorProto.dims = 1), for {@code info}. The file is
 * memory-mapped only while counting; nothing is loaded into ONNX Runtime.
 */
public final class OnnxSummary {
    /** Initializer count, their total element count, and the file size in bytes. */
    public record Summary(int initializers, long parameters, long fileBytes) {}

    private OnnxSummary() {}

    public static Summary read(Path file) {
        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            int[] count = {0};
            long[] params = {0};
            Proto model = new Proto(file, seg, 0, seg.byteSize());
            while (model.next()) {
                if (model.field == 7 && model.wire == 2) {
                    Proto graph = model.sub();
                    while (graph.next()) {
                        if (graph.field == 5 && graph.wire == 2) {
                            count[0]++;
                            params[0] += numel(graph.sub());
                        } else graph.skip();
                    }
                } else model.skip();
            }
            return new Summary(count[0], params[0], seg.byteSize());
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read: " + e, e);
        }
    }

    private static long numel(Proto tensor) {
        long n = 1;
        while (tensor.next()) {
            if (tensor.field == 1 && tensor.wire == 0) {
                n = Math.multiplyExact(n, tensor.value);
            } else if (tensor.field == 1 && tensor.wire == 2) { // packed dims
                Proto dims = tensor.sub();
                while (dims.pos < dims.end) n = Math.multiplyExact(n, dims.varint());
            } else tensor.skip();
        }
        return n;
    }

    /** A cursor over the fields of one protobuf message in [pos, end). */
    private static final class Proto {
        final Path file;
        final MemorySegment seg;
        long pos;
        final long end;
        int field, wire;
        long value; // varint value, or length for wire type 2

        Proto(Path file, MemorySegment seg, long pos, long end) { this.file = file; this.seg = seg; this.pos = pos; this.end = end; }

        boolean next() {
            if (pos >= end) return false;
            long tag = varint();
            field = (int) (tag >>> 3);
            wire = (int) (tag & 7);
            if (wire == 0 || wire == 2) value = varint();
            if (wire == 2 && (value < 0 || pos + value > end)) throw bad();
            return true;
        }

        Proto sub() {
            Proto p = new Proto(file, seg, pos, pos + value);
            pos += value;
            return p;
        }

        void skip() {
            switch (wire) {
                case 0 -> {}
                case 1 -> pos += 8;
                case 2 -> pos += value;
                case 5 -> pos += 4;
                default -> throw bad();
            }
            if (pos > end) throw bad();
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) throw bad();
                byte b = seg.get(ValueLayout.JAVA_BYTE, pos++);
                v |= (long) (b & 0x7f) << shift;
                if (b >= 0) return v;
            }
            throw bad();
        }

        ModelFormatException bad() { return new ModelFormatException(file, "not a valid ONNX (protobuf) file"); }
    }
}
