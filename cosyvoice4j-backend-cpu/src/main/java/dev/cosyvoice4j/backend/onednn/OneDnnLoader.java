package dev.cosyvoice4j.backend.onednn;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/** Finding and opening the oneDNN library for {@link OneDnn} (search order in its javadoc). */
@SuppressWarnings("restricted")
final class OneDnnLoader {
    private OneDnnLoader() {}

    /**
     * Tries each candidate (a file path when it contains a separator, else a library name for the dynamic
     * loader), then the bundled natives visible to {@code bundledFrom} (null: none); the first usable wins.
     */
    static OneDnn.LoadResult load(List<String> candidates, ClassLoader bundledFrom, String ompWaitPolicy) {
        List<String> failures = new ArrayList<>();
        presetOmpWaitPolicy(ompWaitPolicy);
        for (String c : candidates) {
            boolean isPath = c.indexOf('/') >= 0 || c.indexOf('\\') >= 0;
            if (isPath && !Files.isRegularFile(Path.of(c))) {
                failures.add(c + ": no such file");
                continue;
            }
            if (isPath && !looksLikeSharedLibrary(Path.of(c))) {
                failures.add(c + ": not a shared library");
                continue;
            }
            Optional<OneDnn> lib = tryOpen(c, isPath ? Path.of(c) : null, failures);
            if (lib.isPresent()) return new OneDnn.LoadResult(lib, "oneDNN " + lib.get().version() + " from " + c);
        }
        if (bundledFrom != null) {
            try {
                Path extracted = extractBundled(bundledFrom);
                if (extracted == null) {
                    failures.add("bundled " + OneDnn.BUNDLED_DIR + "libdnnl.so.3: not on the class path");
                } else {
                    Optional<OneDnn> lib = tryOpen(extracted.toString(), extracted, failures);
                    if (lib.isPresent()) {
                        return new OneDnn.LoadResult(lib, "oneDNN " + lib.get().version() + " bundled, from " + extracted);
                    }
                }
            } catch (IOException | RuntimeException e) {
                failures.add("bundled natives: " + e);
            }
        }
        return new OneDnn.LoadResult(Optional.empty(), OneDnn.ABSENT + " [tried " + String.join("; ", failures) + "]");
    }

    /** ELF / Mach-O / PE magic: dlopen of anything else makes the JVM print a stack-guard warning. */
    private static boolean looksLikeSharedLibrary(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            byte[] m = in.readNBytes(4);
            if (m.length < 4) return false;
            int magic = (m[0] & 0xff) << 24 | (m[1] & 0xff) << 16 | (m[2] & 0xff) << 8 | (m[3] & 0xff);
            return magic == 0x7F454C46 || (m[0] == 'M' && m[1] == 'Z')
                    || magic == 0xCFFAEDFE || magic == 0xCEFAEDFE || magic == 0xCAFEBABE;
        } catch (IOException e) {
            return false;
        }
    }

    private static Optional<OneDnn> tryOpen(String what, Path path, List<String> failures) {
        Arena arena = Arena.ofShared();
        try {
            SymbolLookup lookup = path != null ? SymbolLookup.libraryLookup(path, arena)
                    : SymbolLookup.libraryLookup(what, arena);
            OneDnn.Api api = OneDnn.Api.bind(lookup);
            return Optional.of(new OneDnn(what, api));
        } catch (OneDnn.MissingSymbol e) {
            failures.add(what + ": not a usable oneDNN 2.x/3.x library (lacks " + e.getMessage() + ")");
        } catch (IllegalArgumentException e) {
            failures.add(what + ": cannot be opened (" + e.getMessage() + ")");
        } catch (RuntimeException | LinkageError e) {
            failures.add(what + ": " + e);
        }
        arena.close();
        return Optional.empty();
    }

    /** Extracts the bytedeco natives ({@code libdnnl.so.3} and its {@code libgomp.so.1}) once; null if absent. */
    private static Path extractBundled(ClassLoader loader) throws IOException {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) return null;   // natives are x86-64 Linux
        URL dnnl = loader.getResource(OneDnn.BUNDLED_DIR + "libdnnl.so.3");
        if (dnnl == null) return null;
        URLConnection conn = dnnl.openConnection();
        long size = conn.getContentLengthLong();
        // A per-user directory (not a shared /tmp name another user could plant a library in).
        String home = System.getProperty("user.home");
        Path dir = home != null && Files.isWritable(Path.of(home))
                ? Path.of(home, ".cache", "cosyvoice4j", "onednn-" + size)
                : Path.of(System.getProperty("java.io.tmpdir"), "cosyvoice4j-onednn-" + size + "-" + System.getProperty("user.name"));
        Files.createDirectories(dir);
        for (String name : new String[] {"libgomp.so.1", "libdnnl.so.3"}) {
            URL url = loader.getResource(OneDnn.BUNDLED_DIR + name);
            if (url == null) continue;
            Path target = dir.resolve(name);
            URLConnection c = url.openConnection();
            if (Files.isRegularFile(target) && Files.size(target) == c.getContentLengthLong()) continue;
            Path tmp = Files.createTempFile(dir, name, ".part");
            try (InputStream in = c.getInputStream()) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return dir.resolve("libdnnl.so.3");
    }

    /**
     * Sets OMP_WAIT_POLICY for libgomp before it is loaded, unless the user's environment sets it (respected) or
     * {@code policy} is null, blank or "default" (see {@link OneDnn}).
     */
    private static void presetOmpWaitPolicy(String policy) {
        if (System.getenv("OMP_WAIT_POLICY") != null || policy == null || policy.isBlank() || policy.equalsIgnoreCase("default")) return;
        try {
            Linker linker = Linker.nativeLinker();
            Optional<MemorySegment> setenv = linker.defaultLookup().find("setenv");
            if (setenv.isEmpty()) return;
            MethodHandle h = linker.downcallHandle(setenv.get(),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
            try (Arena a = Arena.ofConfined()) {
                int rc = (int) h.invokeExact(a.allocateFrom("OMP_WAIT_POLICY"), a.allocateFrom(policy), 0);
                assert rc == 0;
            }
        } catch (Throwable ignored) {
            // Only a performance hint; oneDNN works either way.
        }
    }

}
