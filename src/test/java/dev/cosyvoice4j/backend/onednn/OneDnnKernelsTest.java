package dev.cosyvoice4j.backend.onednn;

import dev.cosyvoice4j.backend.Kernels;
import dev.cosyvoice4j.backend.cpu.ScalarKernels;
import dev.cosyvoice4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The decorator: big products to oneDNN, everything else (every Kernels method) to the wrapped kernels. */
class OneDnnKernelsTest {

    /** Records calls; returns 2 from threads(). */
    private static Kernels recorder(List<String> calls, List<Object[]> args) {
        return (Kernels) Proxy.newProxyInstance(Kernels.class.getClassLoader(), new Class<?>[] {Kernels.class},
                (proxy, m, a) -> {
                    calls.add(m.getName());
                    args.add(a == null ? new Object[0] : a);
                    return m.getReturnType() == int.class ? 2 : null;
                });
    }

    @Test
    void everyKernelsMethodIsDelegatedUnchanged() throws Exception {
        // Catches methods appended to Kernels (default ones included) that the decorator does not forward.
        List<String> calls = new ArrayList<>();
        List<Object[]> seen = new ArrayList<>();
        Kernels k = new OneDnnKernels(recorder(calls, seen), (OneDnnMatmul) null, 16);
        for (Method m : Kernels.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getName().equals("linear")) continue;
            Object[] a = sampleArgs(m);
            calls.clear();
            seen.clear();
            m.invoke(k, a);
            assertEquals(List.of(m.getName()), calls, m + " is not forwarded to the wrapped kernels");
            if (m.getName().equals("parallelTasks")) {
                assertEquals(a[0], seen.getFirst()[0], "parallelTasks forwarded another task count");   // the task is wrapped
            } else {
                assertArrayEquals(a, seen.getFirst(), m + " forwarded different arguments");
            }
            assertEquals(OneDnnKernels.class, OneDnnKernels.class.getMethod(m.getName(), m.getParameterTypes())
                    .getDeclaringClass(), m + " must be overridden by OneDnnKernels");
        }
    }

    private static Object[] sampleArgs(Method m) {
        Class<?>[] types = m.getParameterTypes();
        Object[] a = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            Class<?> t = types[i];
            if (t == int.class) a[i] = 3 + i;
            else if (t == float.class) a[i] = 0.5f + i;
            else if (t == boolean.class) a[i] = true;
            else if (t == long.class) a[i] = 5L + i;
            else if (t == double.class) a[i] = 1.5 + i;
            else if (t == float[].class) a[i] = new float[] {i};
            else a[i] = null;
        }
        return a;
    }

    @Test
    void productsInsideTasksUseOneCoresShareOfTheThreads() {
        try (var two = new dev.cosyvoice4j.backend.cpu.VectorKernels(new dev.cosyvoice4j.backend.cpu.CpuOptions(2))) {
            OneDnnKernels k = new OneDnnKernels(two, new OneDnnMatmul(null, Precision.BF16, 2), 16);
            assertEquals(2, k.teamSize());
            int[] inside = new int[2];
            java.util.Set<Integer> ran = java.util.concurrent.ConcurrentHashMap.newKeySet();
            k.parallelTasks(2, i -> {
                inside[i] = k.teamSize();
                ran.add(i);
            });
            assertEquals(java.util.Set.of(0, 1), ran);
            assertArrayEquals(new int[] {1, 1}, inside);
            assertEquals(2, k.teamSize(), "outside the tasks again");
        }
    }

    @Test
    void smallProductsStayInJava() {
        List<String> calls = new ArrayList<>();
        List<Object[]> seen = new ArrayList<>();
        Kernels k = new OneDnnKernels(recorder(calls, seen), (OneDnnMatmul) null, 16);
        Tensor w = Tensor.of(new float[8], 2, 4);
        float[] out = new float[30], x = new float[60];
        k.linear(out, x, 15, w, null);
        assertEquals(List.of("linear"), calls);
        assertSame(x, seen.getFirst()[1]);
        assertEquals(2, k.threads());
    }

    @Test
    void largeProductsGoToOneDnn() {
        OneDnn lib = OneDnnTestSupport.library();
        List<String> calls = new ArrayList<>();
        OneDnnMatmul mm = new OneDnnMatmul(lib, Precision.F32, 2);
        Kernels k = new OneDnnKernels(recorder(calls, new ArrayList<>()), mm, 16);
        SplittableRandom rnd = new SplittableRandom(1);
        int rows = 16, kk = 40, n = 24;
        float[] wv = OneDnnMatmulTest.random(rnd, n * kk, 1), x = OneDnnMatmulTest.random(rnd, rows * kk, 1);
        Tensor w = Tensor.of(wv, n, kk);
        float[] out = new float[rows * n], expected = new float[rows * n];
        k.linear(out, x, rows, w, null);
        assertEquals(List.of(), calls, "went to the wrapped kernels");
        new ScalarKernels().linear(expected, x, rows, w, null);
        for (int i = 0; i < out.length; i++) assertEquals(expected[i], out[i], 1e-4, "element " + i);
        assertEquals(Arrays.asList(Precision.F32), List.of(mm.precision()));
    }
}
