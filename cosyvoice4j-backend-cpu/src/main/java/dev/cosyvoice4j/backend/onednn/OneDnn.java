package dev.cosyvoice4j.backend.onednn;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The oneDNN (DNNL) C library bound through {@code java.lang.foreign}: finding it, and the few C entry points the
 * matrix product needs. Works with the 2.x API (Debian 12 {@code libdnnl2} 2.6) and the 3.x API
 * ({@code libdnnl3}, or the {@code libdnnl.so.3} bundled in the {@code org.bytedeco:dnnl:*:linux-x86_64} jar when
 * that jar is on the class path); the two differ only in how memory and matmul descriptors are created.
 *
 * <p>Loading never throws and never crashes the JVM: a missing file, a library that cannot be opened or one that
 * lacks a symbol is reported in {@link LoadResult#message()} and the caller keeps the pure-Java kernels.
 *
 * <p>Search order ({@link #loadDefault(Path, String)}): the library the caller names
 * ({@code BackendOptions.oneDnnLibrary()}), then the sonames {@code libdnnl.so.3}, {@code libdnnl.so.2} through the
 * dynamic loader's path, then the bundled bytedeco natives (extracted once to {@code ~/.cache/cosyvoice4j}).
 *
 * <p>Threading: the Debian and bytedeco builds use OpenMP (libgomp). Unless the user's environment sets
 * {@code OMP_WAIT_POLICY}, it is set to the caller's policy ({@code BackendOptions.ompWaitPolicy()}, by default
 * {@code PASSIVE}) before the library is opened: otherwise libgomp's workers spin after each product and take the
 * cores from the Java kernels that run between products. The team size is set per call from the kernels' thread
 * count.
 */
@SuppressWarnings("restricted") // binding a native library is what this class is for
public final class OneDnn {
    /** The message when no usable library was found. */
    public static final String ABSENT = "oneDNN not found (install libdnnl3 / libdnnl-dev): using the pure-Java kernels";
    /** The wait policy set when neither the caller nor the environment chooses one. */
    public static final String DEFAULT_WAIT_POLICY = "PASSIVE";
    /**
     * Formerly the system property of the wait policy; no longer read ({@code BackendOptions.ompWaitPolicy()}
     * replaces it). Kept only until the benchmarks that print it are rewritten.
     */
    @Deprecated(forRemoval = true)
    public static final String WAIT_POLICY_PROPERTY = "cosyvoice4j.onednn.ompWaitPolicy";
    /** Where the bytedeco {@code dnnl} natives jar keeps its Linux x86-64 libraries. */
    static final String BUNDLED_DIR = "org/bytedeco/dnnl/linux-x86_64/";

    /**
     * Whether this platform is linux-x86_64 and the bytedeco natives of the pom are on the class path, i.e. oneDNN
     * must load here (tests treat its absence as a failure, not a skip).
     */
    public static boolean bundledNativesPresent() {
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        return os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64"))
                && OneDnn.class.getClassLoader().getResource(BUNDLED_DIR + "libdnnl.so.3") != null;
    }

    // C enum values shared by the 2.x and 3.x headers (checked against both).
    static final int STATUS_SUCCESS = 0;
    static final int DT_BF16 = 2, DT_F32 = 3;
    static final int TAG_ANY = 1;
    static final int QUERY_IMPL_INFO_STR = 8, QUERY_SRC_MD = 129, QUERY_WEIGHTS_MD = 131, QUERY_DST_MD = 133,
            QUERY_SCRATCHPAD_MD = 136;
    static final int ARG_SRC = 1, ARG_DST = 17, ARG_WEIGHTS = 33, ARG_BIAS = 41, ARG_SCRATCHPAD = 80;
    static final int ARG_FROM = ARG_SRC, ARG_TO = ARG_DST;
    static final int SCRATCHPAD_MODE_USER = 1;
    static final int ENGINE_CPU = 1, STREAM_DEFAULT_FLAGS = 1;
    /** {@code dnnl_exec_arg_t}: {int arg; dnnl_memory_t memory;}. */
    static final MemoryLayout EXEC_ARG = MemoryLayout.structLayout(JAVA_INT.withName("arg"),
            MemoryLayout.paddingLayout(4), ADDRESS.withName("memory"));
    /** Generous sizes of the caller-allocated 2.x structs (2.6: 696 and 2800 bytes). */
    private static final long V2_MEMORY_DESC_BYTES = 4096, V2_MATMUL_DESC_BYTES = 16384;

    /** Outcome of a load attempt: the library, or empty and the reason (always a non-null message). */
    public record LoadResult(Optional<OneDnn> library, String message) {}

    /** Load results by (library, wait policy): one load per JVM each (dlopen and engine creation take ~0.4 s). */
    private static final java.util.concurrent.ConcurrentHashMap<List<String>, LoadResult> LOADED = new java.util.concurrent.ConcurrentHashMap<>();

    private final String source;
    private final int major, minor, patch;
    private final int cpuRuntime;
    private final MemorySegment engine;
    private final Api api;

    OneDnn(String source, Api api) {
        this.source = source;
        this.api = api;
        MemorySegment v = api.ptr(api.version).reinterpret(32);
        this.major = v.get(JAVA_INT, 0);
        this.minor = v.get(JAVA_INT, 4);
        this.patch = v.get(JAVA_INT, 8);
        this.cpuRuntime = v.get(JAVA_INT, 24);
        if (major != api.major) {
            throw new IllegalStateException("library reports version " + major + "." + minor + " but has the "
                    + api.major + ".x API");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check(api.call(api.engineCreate, out, ENGINE_CPU, 0L), "dnnl_engine_create(cpu)");
            this.engine = out.get(ADDRESS, 0);
        }
    }

    /**
     * The library found by the default search ({@link #defaultCandidates}, then the bundled natives), loaded once
     * per JVM and arguments.
     *
     * @param library       a {@code libdnnl} to try first, or null
     * @param ompWaitPolicy {@code OMP_WAIT_POLICY} to set unless the environment has one; null or "default": none
     */
    public static LoadResult loadDefault(Path library, String ompWaitPolicy) {
        List<String> key = java.util.Arrays.asList(library == null ? null : library.toString(), ompWaitPolicy);
        return LOADED.computeIfAbsent(key, k -> load(defaultCandidates(library), OneDnn.class.getClassLoader(), ompWaitPolicy));
    }

    /** {@link #loadDefault(Path, String)} with no library named and the {@link #DEFAULT_WAIT_POLICY}. */
    public static LoadResult loadDefault() {
        return loadDefault(null, DEFAULT_WAIT_POLICY);
    }

    /** Shorthand for {@code loadDefault().library()}. */
    public static Optional<OneDnn> find() {
        return loadDefault().library();
    }

    /** The default search list: {@code library} (if not null), then the platform's sonames. */
    public static List<String> defaultCandidates(Path library) {
        List<String> c = new ArrayList<>();
        if (library != null) c.add(library.toString());
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("mac")) c.addAll(List.of("libdnnl.3.dylib", "libdnnl.2.dylib", "libdnnl.dylib"));
        else if (os.contains("win")) c.add("dnnl.dll");
        else c.addAll(List.of("libdnnl.so.3", "libdnnl.so.2", "libdnnl.so"));
        return c;
    }

    /**
     * Tries each candidate (a file path when it contains a separator, else a library name for the dynamic
     * loader), then the bundled natives visible to {@code bundledFrom} (null: none); the first usable wins.
     */
    public static LoadResult load(List<String> candidates, ClassLoader bundledFrom) {
        return load(candidates, bundledFrom, DEFAULT_WAIT_POLICY);
    }

    /** {@link #load(List, ClassLoader)} setting {@code ompWaitPolicy} first (see {@link #loadDefault(Path, String)}). */
    public static LoadResult load(List<String> candidates, ClassLoader bundledFrom, String ompWaitPolicy) {
        return OneDnnLoader.load(candidates, bundledFrom, ompWaitPolicy);
    }

    // ---- what was loaded -----------------------------------------------------------------------------------

    /** {@code major.minor.patch}. */
    public String version() { return major + "." + minor + "." + patch; }
    public int majorVersion() { return major; }
    /** The name or path it was loaded from. */
    public String source() { return source; }
    /** The CPU threading runtime: OMP, TBB, THREADPOOL, SEQ or a number. */
    public String cpuRuntime() {
        return switch (cpuRuntime) {
            case 1 -> "SEQ";
            case 2 -> "OMP";
            case 4 -> "TBB";
            case 8 -> "THREADPOOL";
            default -> String.valueOf(cpuRuntime);
        };
    }

    @Override
    public String toString() { return "oneDNN " + version() + " (" + cpuRuntime() + ") from " + source; }

    // ---- thin wrappers over the C API (package-private, used by OneDnnMatmul) -------------------------------

    MemorySegment engine() { return engine; }

    static void check(int status, String what) {
        if (status != STATUS_SUCCESS) throw new OneDnnException(what + " failed: " + statusName(status));
    }

    static String statusName(int s) {
        return switch (s) {
            case 1 -> "out_of_memory";
            case 2 -> "invalid_arguments";
            case 3 -> "unimplemented";
            case 4 -> "last_impl_reached";
            case 5 -> "runtime_error";
            case 6 -> "not_required";
            default -> "status " + s;
        };
    }

    /** A memory descriptor with explicit strides, valid until {@code arena} closes. */
    MemorySegment memoryDesc(Arena arena, long[] dims, int dataType, long[] strides) {
        MemorySegment d = arena.allocateFrom(JAVA_LONG, dims);
        if (api.major == 2) {
            MemorySegment md = arena.allocate(V2_MEMORY_DESC_BYTES, 64);
            check(api.call(api.mdInitByStrides, md, dims.length, d, dataType, arena.allocateFrom(JAVA_LONG, strides)),
                    "dnnl_memory_desc_init_by_strides");
            return md;
        }
        MemorySegment out = arena.allocate(ADDRESS);
        check(api.call(api.mdCreateWithStrides, out, dims.length, d, dataType, arena.allocateFrom(JAVA_LONG, strides)),
                "dnnl_memory_desc_create_with_strides");
        return owned(arena, out.get(ADDRESS, 0));
    }

    /** A memory descriptor in format "any" (the primitive chooses), valid until {@code arena} closes. */
    MemorySegment memoryDescAny(Arena arena, long[] dims, int dataType) {
        MemorySegment d = arena.allocateFrom(JAVA_LONG, dims);
        if (api.major == 2) {
            MemorySegment md = arena.allocate(V2_MEMORY_DESC_BYTES, 64);
            check(api.call(api.mdInitByTag, md, dims.length, d, dataType, TAG_ANY), "dnnl_memory_desc_init_by_tag");
            return md;
        }
        MemorySegment out = arena.allocate(ADDRESS);
        check(api.call(api.mdCreateWithTag, out, dims.length, d, dataType, TAG_ANY), "dnnl_memory_desc_create_with_tag");
        return owned(arena, out.get(ADDRESS, 0));
    }

    private MemorySegment owned(Arena arena, MemorySegment handle) {
        MethodHandle destroy = api.mdDestroy;
        return handle.reinterpret(arena, h -> api.call(destroy, h));
    }

    /** An attribute with a user-managed scratchpad (what makes concurrent execution of one primitive safe). */
    MemorySegment userScratchpadAttr(Arena arena) {
        MemorySegment out = arena.allocate(ADDRESS);
        check(api.call(api.attrCreate, out), "dnnl_primitive_attr_create");
        MemorySegment attr = out.get(ADDRESS, 0);
        MethodHandle destroy = api.attrDestroy;
        attr = attr.reinterpret(arena, h -> api.call(destroy, h));
        check(api.call(api.attrSetScratchpadMode, attr, SCRATCHPAD_MODE_USER), "dnnl_primitive_attr_set_scratchpad_mode");
        return attr;
    }

    /** A matmul primitive descriptor ({@code bias} may be NULL); the caller destroys it. */
    MemorySegment matmulPd(Arena arena, MemorySegment src, MemorySegment weights, MemorySegment bias, MemorySegment dst,
                           MemorySegment attr) {
        MemorySegment out = arena.allocate(ADDRESS);
        if (api.major == 2) {
            MemorySegment desc = arena.allocate(V2_MATMUL_DESC_BYTES, 64);
            check(api.call(api.matmulDescInit, desc, src, weights, bias, dst), "dnnl_matmul_desc_init");
            check(api.call(api.pdCreate, out, desc, attr, engine, MemorySegment.NULL), "dnnl_primitive_desc_create(matmul)");
        } else {
            check(api.call(api.matmulPdCreate, out, engine, src, weights, bias, dst, attr),
                    "dnnl_matmul_primitive_desc_create");
        }
        return out.get(ADDRESS, 0);
    }

    /** A reorder primitive descriptor between two descriptors on the CPU engine; the caller destroys it. */
    MemorySegment reorderPd(Arena arena, MemorySegment src, MemorySegment dst) {
        MemorySegment out = arena.allocate(ADDRESS);
        check(api.call(api.reorderPdCreate, out, src, engine, dst, engine, MemorySegment.NULL),
                "dnnl_reorder_primitive_desc_create");
        return out.get(ADDRESS, 0);
    }

    /** A memory descriptor of {@code pd} (valid while the pd lives). */
    MemorySegment queryMd(MemorySegment pd, int what) {
        return queryMd(pd, what, 0);
    }

    /** The {@code index}-th memory descriptor of kind {@code what} (weights 1 is the bias). */
    MemorySegment queryMd(MemorySegment pd, int what, int index) {
        return api.ptr(api.pdQueryMd, pd, what, index);
    }

    /** The implementation name, e.g. {@code brg:avx512_core_bf16}. */
    String implInfo(MemorySegment pd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check(api.call(api.pdQuery, pd, QUERY_IMPL_INFO_STR, 0, out), "dnnl_primitive_desc_query(impl_info_str)");
            return out.get(ADDRESS, 0).reinterpret(256).getString(0);
        }
    }

    long mdSize(MemorySegment md) { return api.callLong(api.mdGetSize, md); }

    boolean mdEqual(MemorySegment a, MemorySegment b) { return api.call(api.mdEqual, a, b) != 0; }

    MemorySegment primitiveCreate(MemorySegment pd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check(api.call(api.primitiveCreate, out, pd), "dnnl_primitive_create");
            return out.get(ADDRESS, 0);
        }
    }

    void pdDestroy(MemorySegment pd) { api.call(api.pdDestroy, pd); }

    void primitiveDestroy(MemorySegment p) { api.call(api.primitiveDestroy, p); }

    MemorySegment streamCreate() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check(api.call(api.streamCreate, out, engine, STREAM_DEFAULT_FLAGS), "dnnl_stream_create");
            return out.get(ADDRESS, 0);
        }
    }

    void streamDestroy(MemorySegment s) { api.call(api.streamDestroy, s); }

    /** A memory object over {@code handle} (not owned); the caller destroys it. */
    MemorySegment memoryCreate(MemorySegment slot, MemorySegment md, MemorySegment handle) {
        check(api.call(api.memoryCreate, slot, md, engine, handle), "dnnl_memory_create");
        return slot.get(ADDRESS, 0);
    }

    void memoryDestroy(MemorySegment m) { api.call(api.memoryDestroy, m); }

    /** Points memory object {@code m} at {@code handle} (each execution: a kept object, no allocation). */
    void memorySetDataHandle(MemorySegment m, MemorySegment handle) {
        check(api.exact(api.memorySetDataHandle, m, handle), "dnnl_memory_set_data_handle");
    }

    /** Executes and waits for completion. */
    void execute(MemorySegment primitive, MemorySegment stream, int nargs, MemorySegment args) {
        check(api.exactExecute(api.primitiveExecute, primitive, stream, nargs, args), "dnnl_primitive_execute");
        check(api.exact(api.streamWait, stream), "dnnl_stream_wait");
    }

    /** Sets the OpenMP team size of the calling thread (no-op for non-OpenMP builds). */
    void setThreads(int n) {
        if (api.ompSetNumThreads != null) api.callVoid(api.ompSetNumThreads, n);
    }

    // ---- binding ------------------------------------------------------------------------------------------

    static final class MissingSymbol extends Exception {
        MissingSymbol(String name) { super(name, null, false, false); }
    }

    /** Thrown when a oneDNN call fails. */
    public static final class OneDnnException extends RuntimeException {
        OneDnnException(String message) { super(message); }
    }

    /** The method handles; 2.x-only and 3.x-only entries are null in the other version. */
    static final class Api {
        final int major;
        MethodHandle version, engineCreate, streamCreate, streamWait, streamDestroy, attrCreate, attrDestroy,
                attrSetScratchpadMode, reorderPdCreate, pdQuery, pdQueryMd, pdDestroy, primitiveCreate,
                primitiveExecute, primitiveDestroy, memoryCreate, memoryDestroy, memorySetDataHandle, mdGetSize, mdEqual;
        MethodHandle mdInitByStrides, mdInitByTag, matmulDescInit, pdCreate; // 2.x
        MethodHandle mdCreateWithStrides, mdCreateWithTag, mdDestroy, matmulPdCreate; // 3.x
        MethodHandle ompSetNumThreads; // optional

        private Api(int major) { this.major = major; }

        static Api bind(SymbolLookup l) throws MissingSymbol {
            boolean v3 = l.find("dnnl_matmul_primitive_desc_create").isPresent();
            Api a = new Api(v3 ? 3 : 2);
            var I = JAVA_INT;
            var P = ADDRESS;
            a.version = fn(l, "dnnl_version", FunctionDescriptor.of(P));
            a.engineCreate = fn(l, "dnnl_engine_create", FunctionDescriptor.of(I, P, I, JAVA_LONG));
            a.streamCreate = fn(l, "dnnl_stream_create", FunctionDescriptor.of(I, P, P, I));
            a.streamWait = fn(l, "dnnl_stream_wait", FunctionDescriptor.of(I, P));
            a.streamDestroy = fn(l, "dnnl_stream_destroy", FunctionDescriptor.of(I, P));
            a.attrCreate = fn(l, "dnnl_primitive_attr_create", FunctionDescriptor.of(I, P));
            a.attrDestroy = fn(l, "dnnl_primitive_attr_destroy", FunctionDescriptor.of(I, P));
            a.attrSetScratchpadMode = fn(l, "dnnl_primitive_attr_set_scratchpad_mode", FunctionDescriptor.of(I, P, I));
            a.reorderPdCreate = fn(l, "dnnl_reorder_primitive_desc_create", FunctionDescriptor.of(I, P, P, P, P, P, P));
            a.pdQuery = fn(l, "dnnl_primitive_desc_query", FunctionDescriptor.of(I, P, I, I, P));
            a.pdQueryMd = fn(l, "dnnl_primitive_desc_query_md", FunctionDescriptor.of(P, P, I, I));
            a.pdDestroy = fn(l, "dnnl_primitive_desc_destroy", FunctionDescriptor.of(I, P));
            a.primitiveCreate = fn(l, "dnnl_primitive_create", FunctionDescriptor.of(I, P, P));
            a.primitiveExecute = fn(l, "dnnl_primitive_execute", FunctionDescriptor.of(I, P, P, I, P));
            a.primitiveDestroy = fn(l, "dnnl_primitive_destroy", FunctionDescriptor.of(I, P));
            a.memoryCreate = fn(l, "dnnl_memory_create", FunctionDescriptor.of(I, P, P, P, P));
            a.memoryDestroy = fn(l, "dnnl_memory_destroy", FunctionDescriptor.of(I, P));
            a.memorySetDataHandle = fn(l, "dnnl_memory_set_data_handle", FunctionDescriptor.of(I, P, P));
            a.mdGetSize = fn(l, "dnnl_memory_desc_get_size", FunctionDescriptor.of(JAVA_LONG, P));
            a.mdEqual = fn(l, "dnnl_memory_desc_equal", FunctionDescriptor.of(I, P, P));
            if (v3) {
                a.mdCreateWithStrides = fn(l, "dnnl_memory_desc_create_with_strides", FunctionDescriptor.of(I, P, I, P, I, P));
                a.mdCreateWithTag = fn(l, "dnnl_memory_desc_create_with_tag", FunctionDescriptor.of(I, P, I, P, I, I));
                a.mdDestroy = fn(l, "dnnl_memory_desc_destroy", FunctionDescriptor.of(I, P));
                a.matmulPdCreate = fn(l, "dnnl_matmul_primitive_desc_create", FunctionDescriptor.of(I, P, P, P, P, P, P, P));
            } else {
                a.mdInitByStrides = fn(l, "dnnl_memory_desc_init_by_strides", FunctionDescriptor.of(I, P, I, P, I, P));
                a.mdInitByTag = fn(l, "dnnl_memory_desc_init_by_tag", FunctionDescriptor.of(I, P, I, P, I, I));
                a.matmulDescInit = fn(l, "dnnl_matmul_desc_init", FunctionDescriptor.of(I, P, P, P, P, P));
                a.pdCreate = fn(l, "dnnl_primitive_desc_create", FunctionDescriptor.of(I, P, P, P, P, P));
            }
            // dlsym on the library handle also searches its dependencies, where libgomp lives.
            a.ompSetNumThreads = l.find("omp_set_num_threads")
                    .map(s -> Linker.nativeLinker().downcallHandle(s, FunctionDescriptor.ofVoid(JAVA_INT)))
                    .orElse(null);
            return a;
        }

        /** What a native call threw, as thrown by its wrapper (runtime exceptions and errors as they are). */
        private static RuntimeException unchecked(Throwable t) {
            if (t instanceof Error e) throw e;
            return t instanceof RuntimeException r ? r : new IllegalStateException(t);
        }

        private static MethodHandle fn(SymbolLookup l, String name, FunctionDescriptor fd) throws MissingSymbol {
            MemorySegment s = l.find(name).orElseThrow(() -> new MissingSymbol(name));
            return Linker.nativeLinker().downcallHandle(s, fd);
        }

        // The per-execution calls are exact (invokeWithArguments costs microseconds per call: measured ~10 us of
        // overhead per execution of a 16-row product before, where the attention runs 32 executions per call).
        int exact(MethodHandle h, MemorySegment a) {
            try {
                return (int) h.invokeExact(a);
            } catch (Throwable t) {
                throw unchecked(t);
            }
        }

        int exact(MethodHandle h, MemorySegment a, MemorySegment b) {
            try {
                return (int) h.invokeExact(a, b);
            } catch (Throwable t) {
                throw unchecked(t);
            }
        }

        int exactExecute(MethodHandle h, MemorySegment primitive, MemorySegment stream, int nargs, MemorySegment args) {
            try {
                return (int) h.invokeExact(primitive, stream, nargs, args);
            } catch (Throwable t) {
                throw unchecked(t);
            }
        }

        // Generic invocation for set-up calls (boxing is irrelevant there; it keeps the wrappers short).
        int call(MethodHandle h, Object... args) {
            try {
                return (int) h.invokeWithArguments(args);
            } catch (Throwable t) {
                throw unchecked(t);
            }
        }

        MemorySegment ptr(MethodHandle h) {
            try {
                return (MemorySegment) h.invoke();
            } catch (Throwable t) {
                throw unchecked(t);
            }
        }

        MemorySegment ptr(MethodHandle h, MemorySegment pd, int what, int index) {
            try {
                return (MemorySegment) h.invoke(pd, what, index);
            } catch (Throwable t) {
                throw unchecked(t);
            }
        }

        long callLong(MethodHandle h, MemorySegment md) {
            try {
                return (long) h.invoke(md);
            } catch (Throwable t) {
                throw unchecked(t);
            }
        }

        void callVoid(MethodHandle h, int n) {
            try {
                h.invoke(n);
            } catch (Throwable t) {
                throw unchecked(t);
            }
        }
    }
}
