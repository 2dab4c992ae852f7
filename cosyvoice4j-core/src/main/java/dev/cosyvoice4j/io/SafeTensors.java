package dev.cosyvoice4j.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Hugging Face {@code .safetensors} file (8-byte little-endian header length, JSON header, raw little-endian
 * data), memory-mapped; tensors are views of the mapping in header order. Offsets are checked: each tensor's
 * byte range must match its dtype and shape and lie inside the data section.
 */
public final class SafeTensors implements AutoCloseable {
    static final long MAX_HEADER_BYTES = 64L << 20;
    /** Thread-safe once configured; making one per file cost more than parsing a small header. */
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Arena arena;
    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SafeTensors(Arena arena, Map<String, Tensor> tensors, Map<String, String> metadata) {
        this.arena = arena;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /** Opens and maps {@code file}. */
    public static SafeTensors open(Path file) {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment seg = MappedFiles.map(file, arena);
            return parse(file, seg, arena);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Parses the file mapped in {@code seg}; package-private for the fuzz target. */
    static SafeTensors parse(Path file, MemorySegment seg, Arena arena) {
        if (seg.byteSize() < 8) throw new ModelFormatException(file, "truncated safetensors file (" + seg.byteSize() + " bytes)");
        long n = seg.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (n < 2 || n > MAX_HEADER_BYTES) throw new ModelFormatException(file, "not a safetensors file (header length " + n + ")");
        if (8 + n > seg.byteSize()) throw new ModelFormatException(file, "truncated safetensors file (header of " + n + " bytes)");
        JsonNode header;
        try {
            header = MAPPER.readTree(seg.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE));
        } catch (IOException e) {
            throw new ModelFormatException(file, "malformed safetensors header: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
        }
        if (header == null || !header.isObject()) throw new ModelFormatException(file, "malformed safetensors header (not a JSON object)");
        MemorySegment data = seg.asSlice(8 + n);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals("__metadata__")) {
                v.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            DType dtype = dtype(file, name, v.path("dtype").asText());
            long[] shape = longs(file, name, "shape", v.path("shape"));
            long[] off = longs(file, name, "data_offsets", v.path("data_offsets"));
            if (off.length != 2) throw new ModelFormatException(file, "tensor '" + name + "': data_offsets must have 2 entries");
            long numel;
            try {
                numel = Tensor.numel(shape);
                Math.multiplyExact(numel, dtype.byteSize());
            } catch (RuntimeException ex) {
                throw new ModelFormatException(file, "tensor '" + name + "' has an invalid shape " + v.path("shape"));
            }
            if (off[0] < 0 || off[1] < off[0] || off[1] > data.byteSize()) {
                throw new ModelFormatException(file, "tensor '" + name + "' bytes [" + off[0] + ", " + off[1]
                        + ") run past the data section (" + data.byteSize() + " bytes)");
            }
            if (off[1] - off[0] != numel * dtype.byteSize()) {
                throw new ModelFormatException(file, "tensor '" + name + "' has " + (off[1] - off[0]) + " bytes but "
                        + dtype + " " + v.path("shape") + " needs " + numel * dtype.byteSize());
            }
            tensors.put(name, new Tensor(dtype, shape, data.asSlice(off[0], off[1] - off[0])));
        }
        return new SafeTensors(arena, tensors, metadata);
    }

    private static DType dtype(Path file, String name, String s) {
        return switch (s) {
            case "F32" -> DType.F32; case "F16" -> DType.F16; case "BF16" -> DType.BF16; case "F64" -> DType.F64;
            case "I64" -> DType.I64; case "I32" -> DType.I32; case "I16" -> DType.I16; case "I8" -> DType.I8;
            case "U8" -> DType.U8; case "BOOL" -> DType.BOOL;
            default -> throw new ModelFormatException(file, "tensor '" + name + "' has unsupported dtype '" + s + "'");
        };
    }

    private static long[] longs(Path file, String name, String field, JsonNode node) {
        if (!node.isArray()) throw new ModelFormatException(file, "tensor '" + name + "': missing " + field);
        List<Long> out = new ArrayList<>();
        for (JsonNode x : node) {
            if (!x.canConvertToLong() || !x.isIntegralNumber()) {
                throw new ModelFormatException(file, "tensor '" + name + "': " + field + " holds " + x);
            }
            out.add(x.asLong());
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /** Tensors in header order. */
    public Map<String, Tensor> tensors() { return tensors; }

    /** The {@code __metadata__} string map (empty if absent). */
    public Map<String, String> metadata() { return metadata; }

    /** Unmaps the file; every tensor becomes invalid. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) arena.close();
    }
}
