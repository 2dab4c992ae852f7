package dev.cosyvoice4j.io;

import dev.cosyvoice4j.tensor.DType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A restricted pickle reader for the {@code data.pkl} of a {@code torch.save(state_dict)} archive. It interprets
 * the opcodes of protocols 2-5 that a state_dict uses and resolves only a fixed allow-list of globals
 * ({@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2}, {@code _rebuild_parameter},
 * {@code torch.*Storage}); nothing is ever executed. Any other global is a {@link ModelFormatException}
 * naming it. The result is the top-level dict with {@link TensorRef} values.
 */
final class StateDictUnpickler {
    /** A reference to {@code <stem>/data/<key>} holding {@code numel} elements of {@code dtype}. */
    record StorageRef(DType dtype, String key, long numel) {}

    /** What {@code _rebuild_tensor_v2} describes: a strided view of a storage. */
    record TensorRef(StorageRef storage, long storageOffset, long[] shape, long[] stride) {}

    private record Global(String module, String name) {
        String qualified() { return module + "." + name; }
    }

    private record Tuple(List<Object> items) {}

    private static final Object MARK = new Object();
    private static final Object NONE = new Object();
    /**
     * Every value the pickle builds passes through the stack, so capping pushes bounds the memory a hostile
     * pickle can make us allocate; a state_dict needs ~20 per tensor (4M allows ~200k tensors).
     */
    static final int MAX_PUSHES = 4 << 20;
    private int pushes;

    private final Path file;
    private final ByteBuffer in;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private StateDictUnpickler(Path file, byte[] pickle) {
        this.file = file;
        this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Parses {@code pickle} (the bytes of data.pkl) into name -> tensor description, in file order. */
    static Map<String, TensorRef> parse(Path file, byte[] pickle) {
        Object root = new StateDictUnpickler(file, pickle).run();
        if (!(root instanceof Map<?, ?> map)) {
            throw new ModelFormatException(file, "data.pkl does not hold a state_dict (top-level object is "
                    + describe(root) + ")");
        }
        Map<String, TensorRef> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String name)) {
                throw new ModelFormatException(file, "state_dict key " + describe(e.getKey()) + " is not a string");
            }
            if (!(e.getValue() instanceof TensorRef t)) {
                throw new ModelFormatException(file, "state_dict entry '" + name + "' is " + describe(e.getValue())
                        + ", not a tensor");
            }
            out.put(name, t);
        }
        return out;
    }

    private Object run() {
        try {
            while (true) {
                int op = in.get() & 0xff;
                switch (op) {
                    case 0x80 -> { // PROTO
                        int v = in.get() & 0xff;
                        if (v < 2 || v > 5) throw bad("unsupported pickle protocol " + v);
                    }
                    case 0x95 -> in.getLong(); // FRAME: a length hint only
                    case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
                    case ']' -> push(new ArrayList<>()); // EMPTY_LIST
                    case ')' -> push(new Tuple(List.of())); // EMPTY_TUPLE
                    case '(' -> { // MARK (counted like a push: a pickle of marks alone must not fill the heap)
                        if (++pushes > MAX_PUSHES) throw bad("pickle too large for a state_dict (over " + MAX_PUSHES + " values)");
                        marks.add(stack.size());
                    }
                    case 'X' -> push(string(u32len())); // BINUNICODE
                    case 0x8c -> push(string(in.get() & 0xff)); // SHORT_BINUNICODE
                    case 0x8d -> push(string(in.getLong())); // BINUNICODE8
                    case 'J' -> push((long) in.getInt()); // BININT
                    case 'K' -> push((long) (in.get() & 0xff)); // BININT1
                    case 'M' -> push((long) (in.getShort() & 0xffff)); // BININT2
                    case 0x8a -> push(long1()); // LONG1
                    case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // BINFLOAT (big-endian)
                    case 0x88 -> push(Boolean.TRUE); // NEWTRUE
                    case 0x89 -> push(Boolean.FALSE); // NEWFALSE
                    case 'N' -> push(NONE); // NONE
                    case 0x85 -> push(new Tuple(List.of(pop()))); // TUPLE1
                    case 0x86 -> { Object b = pop(), a = pop(); push(new Tuple(List.of(a, b))); } // TUPLE2
                    case 0x87 -> { Object c = pop(), b = pop(), a = pop(); push(new Tuple(List.of(a, b, c))); } // TUPLE3
                    case 't' -> push(new Tuple(popMark())); // TUPLE
                    case 's' -> { Object v = pop(), k = pop(); dict(peek()).put(key(k), v); } // SETITEM
                    case 'u' -> { // SETITEMS
                        List<Object> kv = popMark();
                        if (kv.size() % 2 != 0) throw bad("odd SETITEMS");
                        Map<Object, Object> d = dict(peek());
                        for (int i = 0; i < kv.size(); i += 2) d.put(key(kv.get(i)), kv.get(i + 1));
                    }
                    case 'a' -> { Object v = pop(); list(peek()).add(v); } // APPEND
                    case 'e' -> { List<Object> vs = popMark(); list(peek()).addAll(vs); } // APPENDS
                    case 'q' -> memoPut(in.get() & 0xff); // BINPUT
                    case 'r' -> memoPut(in.getInt() & 0xffffffffL); // LONG_BINPUT
                    case 0x94 -> memoPut(memo.size()); // MEMOIZE
                    case 'h' -> push(memoGet(in.get() & 0xff)); // BINGET
                    case 'j' -> push(memoGet(in.getInt() & 0xffffffffL)); // LONG_BINGET
                    case 'c' -> push(global(line(), line())); // GLOBAL
                    case 0x93 -> { Object n = pop(), m = pop(); push(global(str(m), str(n))); } // STACK_GLOBAL
                    case 'R' -> { Object args = pop(), fn = pop(); push(reduce(fn, tuple(args))); } // REDUCE
                    case 0x81 -> { Object args = pop(), cls = pop(); push(reduce(cls, tuple(args))); } // NEWOBJ
                    case 'b' -> build(pop(), peek()); // BUILD
                    case 'Q' -> push(persistentLoad(pop())); // BINPERSID
                    case '.' -> { // STOP
                        if (stack.size() != 1) throw bad("malformed pickle (stack holds " + stack.size() + " items at STOP)");
                        return stack.getFirst();
                    }
                    default -> throw bad(String.format("unsupported pickle opcode 0x%02x at byte %d", op, in.position() - 1));
                }
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw bad("truncated pickle (data.pkl ends without STOP)");
        }
    }

    private Object global(String module, String name) {
        Global g = new Global(module, name);
        switch (g.qualified()) {
            case "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
                 "torch._utils._rebuild_parameter_with_state" -> { return g; }
            default -> {
                if (module.equals("torch") && storageDType(name) != null) return g;
                throw bad("refusing to load: data.pkl references the global '" + g.qualified()
                        + "', which a plain state_dict does not use (only tensors and OrderedDict are allowed)");
            }
        }
    }

    private static DType storageDType(String name) {
        return switch (name) {
            case "FloatStorage" -> DType.F32;
            case "HalfStorage" -> DType.F16;
            case "BFloat16Storage" -> DType.BF16;
            case "DoubleStorage" -> DType.F64;
            case "LongStorage" -> DType.I64;
            case "IntStorage" -> DType.I32;
            case "ShortStorage" -> DType.I16;
            case "CharStorage" -> DType.I8;
            case "ByteStorage" -> DType.U8;
            case "BoolStorage" -> DType.BOOL;
            default -> null;
        };
    }

    private Object reduce(Object fn, List<Object> args) {
        if (!(fn instanceof Global g)) throw bad("REDUCE on " + describe(fn) + ", which is not a callable");
        switch (g.qualified()) {
            case "collections.OrderedDict" -> {
                if (!args.isEmpty()) throw bad("OrderedDict called with arguments");
                return new LinkedHashMap<>();
            }
            case "torch._utils._rebuild_tensor_v2" -> {
                // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
                if (args.size() < 4 || args.size() > 7) throw bad("_rebuild_tensor_v2 with " + args.size() + " arguments");
                if (!(args.get(0) instanceof StorageRef s)) throw bad("_rebuild_tensor_v2 of " + describe(args.get(0)));
                long offset = integer(args.get(1));
                long[] shape = longs(args.get(2)), stride = longs(args.get(3));
                if (shape.length != stride.length) throw bad("tensor size and stride have different ranks");
                return new TensorRef(s, offset, shape, stride);
            }
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
                if (args.isEmpty() || !(args.get(0) instanceof TensorRef t)) throw bad("_rebuild_parameter of a non-tensor");
                return t;
            }
            default -> throw bad("refusing to call '" + g.qualified() + "'");
        }
    }

    /** BUILD on an OrderedDict sets attributes such as {@code _metadata}; they are irrelevant for loading. */
    private void build(Object state, Object target) {
        if (!(target instanceof Map<?, ?>) && !(target instanceof TensorRef)) {
            throw bad("BUILD on " + describe(target));
        }
    }

    private Object persistentLoad(Object pid) {
        List<Object> t = tuple(pid);
        if (t.size() != 5 || !"storage".equals(t.get(0))) throw bad("unsupported persistent id " + describe(pid));
        if (!(t.get(1) instanceof Global g) || !g.module().equals("torch") || storageDType(g.name()) == null) {
            throw bad("unsupported storage type " + describe(t.get(1)));
        }
        String key = str(t.get(2));
        if (key.isEmpty() || key.contains("/") || key.contains("..")) throw bad("bad storage key '" + key + "'");
        long numel = integer(t.get(4));
        if (numel < 0) throw bad("negative storage size");
        return new StorageRef(storageDType(g.name()), key, numel);
    }

    private void push(Object o) {
        if (++pushes > MAX_PUSHES) throw bad("pickle too large for a state_dict (over " + MAX_PUSHES + " values)");
        stack.add(o);
    }

    private Object pop() {
        if (stack.isEmpty() || (!marks.isEmpty() && marks.getLast() == stack.size())) throw bad("malformed pickle (stack underflow)");
        return stack.removeLast();
    }

    private Object peek() {
        if (stack.isEmpty()) throw bad("malformed pickle (empty stack)");
        return stack.getLast();
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) throw bad("malformed pickle (no MARK)");
        int at = marks.removeLast();
        List<Object> items = new ArrayList<>(stack.subList(at, stack.size()));
        stack.subList(at, stack.size()).clear();
        return items;
    }

    private void memoPut(long key) {
        if (memo.size() >= MAX_PUSHES) throw bad("pickle too large for a state_dict (memo over " + MAX_PUSHES + " entries)");
        memo.put(key, peek());
    }

    private Object memoGet(long key) {
        Object o = memo.get(key);
        if (o == null) throw bad("malformed pickle (memo key " + key + " undefined)");
        return o;
    }

    private long u32len() { return in.getInt() & 0xffffffffL; }

    private String string(long len) {
        if (len < 0 || len > in.remaining()) throw bad("truncated pickle (string of " + len + " bytes)");
        byte[] b = new byte[(int) len];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private String line() {
        int start = in.position();
        while (in.get() != '\n') {
            if (in.position() - start > 256) throw bad("malformed pickle (GLOBAL name too long)");
        }
        return new String(in.array(), start, in.position() - 1 - start, StandardCharsets.UTF_8);
    }

    private long long1() {
        int n = in.get() & 0xff;
        if (n > 8) throw bad("integer too large (" + n + " bytes)");
        long v = 0;
        for (int i = 0; i < n; i++) v |= (in.get() & 0xffL) << (8 * i);
        if (n > 0 && n < 8 && (v & (1L << (8 * n - 1))) != 0) v |= -1L << (8 * n); // sign-extend
        return v;
    }

    /**
     * A dict key: a state_dict and its {@code _metadata} use only strings and ints. Anything else is refused, which
     * also keeps hashing away from nested (or self-containing) tuples and lists, whose hashCode recursion a
     * hostile pickle could make deep enough to overflow the stack.
     */
    private Object key(Object k) {
        if (k instanceof String || k instanceof Long) return k;
        throw bad("dict key " + describe(k) + " is not a string or an integer");
    }

    private String str(Object o) {
        if (o instanceof String s) return s;
        throw bad("expected a string, got " + describe(o));
    }

    private long integer(Object o) {
        if (o instanceof Long l) return l;
        throw bad("expected an integer, got " + describe(o));
    }

    private long[] longs(Object o) {
        List<Object> t = tuple(o);
        long[] r = new long[t.size()];
        for (int i = 0; i < r.length; i++) r[i] = integer(t.get(i));
        return r;
    }

    private List<Object> tuple(Object o) {
        if (o instanceof Tuple(List<Object> items)) return items;
        throw bad("expected a tuple, got " + describe(o));
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o) {
        if (o instanceof Map<?, ?> m) return (Map<Object, Object>) m;
        throw bad("SETITEM on " + describe(o));
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o) {
        if (o instanceof List<?> l) return (List<Object>) l;
        throw bad("APPEND on " + describe(o));
    }

    private static String describe(Object o) {
        if (o == NONE) return "None";
        if (o instanceof Global g) return "global " + g.qualified();
        if (o instanceof Tuple t) return "a tuple of " + t.items().size();
        if (o instanceof StorageRef) return "a storage";
        if (o instanceof TensorRef) return "a tensor";
        if (o instanceof Map<?, ?> m) return "a dict of " + m.size();
        if (o instanceof List<?> l) return "a list of " + l.size();
        if (o instanceof String s) return "the string '" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "'";
        return o == null ? "nothing" : "a " + o.getClass().getSimpleName() + " (" + o + ")";
    }

    private ModelFormatException bad(String problem) { return new ModelFormatException(file, problem); }
}
