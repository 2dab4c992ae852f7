package dev.cosyvoice4j.backend;

/**
 * Deterministic float32 elementary functions: the definition every backend reproduces bit for bit.
 *
 * <p>Why: {@code Math.exp/sin/tanh} and the Vector API's lanewise EXP/SIN/TANH may round differently in the
 * interpreter, C1 and C2 (the Vector API's fallback is {@code Math.*}, its intrinsic SVML), and the vocoder
 * amplifies a last-bit difference into an audible 1e-2: the same request gave other audio before and after the JIT
 * warmed up. Each function here is a fixed sequence of IEEE operations (add, multiply, fused multiply-add, divide,
 * bit moves), which every execution mode, and every SIMD lane, computes identically; {@code backend.cpu.VectorMath}
 * is the lane-wise twin of each (tested bitwise equal), and a GPU kernel written with the same {@code fmaf} sequence
 * gives the same bits too.
 *
 * <p>The polynomials are Cephes' single-precision ones ({@code expf}, {@code sinf}/{@code cosf}, {@code tanhf})
 * evaluated with FMA. Accuracy, measured against {@link StrictMath} in double by {@code FloatMathTest}: exp within
 * 2 ulp for normal results; sin/cos within 2e-7 absolute for |x| up to {@link #SIN_MAX}, beyond which they are
 * {@code StrictMath}'s; tanh within 3 ulp.
 */
public final class FloatMath {
    private FloatMath() {}

    /** 1.5 * 2^23: {@code x + MAGIC} rounds x to an integer (ties to even) held in the low mantissa bits. */
    public static final float MAGIC = 12582912f;
    public static final int MAGIC_BITS = 0x4B400000;

    // ---- exp ------------------------------------------------------------------------------------------------

    public static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split so that {@code n * LN2_HI} is exact for the exponents exp can reach. */
    public static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    public static final float EXP_C0 = 5.0000001201e-1f, EXP_C1 = 1.6666665459e-1f, EXP_C2 = 4.1665795894e-2f,
            EXP_C3 = 8.3334519073e-3f, EXP_C4 = 1.3981999507e-3f, EXP_C5 = 1.9875691500e-4f;
    /** Above this exp is +inf; below {@link #EXP_UNDER} it is 0 (the exact result is below half the least denormal). */
    public static final float EXP_OVER = 88.72284f, EXP_UNDER = -103.97208f;
    /** Inputs are clamped to this range before reduction, so the exponent bits never overflow. */
    public static final float EXP_CLAMP_LO = -104f, EXP_CLAMP_HI = 89f;

    /** {@code e^x}. */
    public static float exp(float x) {
        float xc = Math.min(Math.max(x, EXP_CLAMP_LO), EXP_CLAMP_HI);
        float t = Math.fma(xc, LOG2E, MAGIC);
        float n = t - MAGIC;
        float r = Math.fma(n, -LN2_HI, xc);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(EXP_C5, r, EXP_C4);
        p = Math.fma(p, r, EXP_C3);
        p = Math.fma(p, r, EXP_C2);
        p = Math.fma(p, r, EXP_C1);
        p = Math.fma(p, r, EXP_C0);
        float y = Math.fma(p, r * r, r) + 1f;
        int ni = Float.floatToRawIntBits(t) - MAGIC_BITS;      // round(x / ln 2) in [-150, 129]
        int h = ni >> 1;                                       // 2^n as two factors: denormal results stay exact-ish
        float s1 = Float.intBitsToFloat((h + 127) << 23), s2 = Float.intBitsToFloat((ni - h + 127) << 23);
        float e = y * s1 * s2;
        if (x > EXP_OVER) e = Float.POSITIVE_INFINITY;
        if (x < EXP_UNDER) e = 0f;
        return e;
    }

    /** Clamp range of {@link #expForBf16}: one 2^n factor (n = round(x / ln 2)) stays a normal float. */
    public static final float EXP_BF16_LO = -87.3f, EXP_BF16_HI = 88f;

    /**
     * {@code e^x} to within 4e-6 relative, for a value about to be rounded to bfloat16 (2^-9 relative): {@link #exp}'s
     * reduction with its polynomial cut to degree 5 and a single 2^n factor, half the operations. Inputs are clamped to
     * [{@link #EXP_BF16_LO}, {@link #EXP_BF16_HI}] (below it the result is e^-87.3 = 1.2e-38, not 0). The probabilities
     * of the bf16 attention.
     */
    public static float expForBf16(float x) {
        float xc = Math.min(Math.max(x, EXP_BF16_LO), EXP_BF16_HI);
        float t = Math.fma(xc, LOG2E, MAGIC);
        float n = t - MAGIC;
        float r = Math.fma(n, -LN2_HI, xc);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(EXP_C3, r, EXP_C2);
        p = Math.fma(p, r, EXP_C1);
        p = Math.fma(p, r, EXP_C0);
        float y = Math.fma(p, r * r, r) + 1f;
        return y * Float.intBitsToFloat((Float.floatToRawIntBits(t) - MAGIC_BITS + 127) << 23);
    }

    /** The logistic sigmoid {@code 1 / (1 + e^-x)}. */
    public static float sigmoid(float x) { return 1f / (exp(-x) + 1f); }

    /** SiLU {@code x / (1 + e^-x)} (the exact float operations of the vector kernels). */
    public static float silu(float x) { return x / (exp(-x) + 1f); }

    // ---- sin / cos ------------------------------------------------------------------------------------------

    public static final float TWO_OVER_PI = 0.636619772367581343f;
    /** pi/2 in three float parts; with FMA the reduced argument is accurate to ~3e-8 absolute up to {@link #SIN_MAX}. */
    public static final float PIO2_1 = 1.5707963705062866f, PIO2_2 = -4.371138828673793e-08f, PIO2_3 = -1.7151245100058819e-15f;
    public static final float SIN_S1 = -1.6666654611e-1f, SIN_S2 = 8.3321608736e-3f, SIN_S3 = -1.9515295891e-4f;
    public static final float COS_C1 = 4.166664568298827e-2f, COS_C2 = -1.388731625493765e-3f, COS_C3 = 2.443315711809948e-5f;
    /** Larger arguments (rare: none occur in the networks) go to {@link StrictMath} in double. */
    public static final float SIN_MAX = 65536f;

    /** {@code sin(x)}. */
    public static float sin(float x) {
        if (!(Math.abs(x) <= SIN_MAX)) return (float) StrictMath.sin(x);
        return sinCos(x, 0);
    }

    /** {@code cos(x)}: sin with the quadrant advanced by one. */
    public static float cos(float x) {
        if (!(Math.abs(x) <= SIN_MAX)) return (float) StrictMath.cos(x);
        return sinCos(x, 1);
    }

    private static float sinCos(float x, int quadrantShift) {
        float t = Math.fma(x, TWO_OVER_PI, MAGIC);
        float k = t - MAGIC;
        float r = Math.fma(k, -PIO2_1, x);
        r = Math.fma(k, -PIO2_2, r);
        r = Math.fma(k, -PIO2_3, r);
        int q = Float.floatToRawIntBits(t) - MAGIC_BITS + quadrantShift;
        float z = r * r;
        float sp = Math.fma(Math.fma(SIN_S3, z, SIN_S2), z, SIN_S1);
        float s = Math.fma(sp * z, r, r);
        float cp = Math.fma(Math.fma(COS_C3, z, COS_C2), z, COS_C1);
        float c = Math.fma(cp, z * z, Math.fma(-0.5f, z, 1f));
        float y = (q & 1) != 0 ? c : s;
        return (q & 2) != 0 ? -y : y;
    }

    // ---- tanh -----------------------------------------------------------------------------------------------

    /** Below this |x| tanh is an odd polynomial; above, {@code 1 - 2 / (e^2|x| + 1)}. */
    public static final float TANH_SMALL = 0.625f;
    /** tanh is 1.0f from |x| = 9.01 on; clamping there keeps {@code e^2|x|} finite. */
    public static final float TANH_CLAMP = 9.5f;
    public static final float TANH_T0 = -3.33332819422e-1f, TANH_T1 = 1.33314422036e-1f, TANH_T2 = -5.37397155531e-2f,
            TANH_T3 = 2.06390887954e-2f, TANH_T4 = -5.70498872745e-3f;

    /** {@code tanh(x)}. */
    public static float tanh(float x) {
        float a = Math.abs(x);
        if (a < TANH_SMALL) {
            float z = x * x;
            float p = Math.fma(TANH_T4, z, TANH_T3);
            p = Math.fma(p, z, TANH_T2);
            p = Math.fma(p, z, TANH_T1);
            p = Math.fma(p, z, TANH_T0);
            return Math.fma(p * z, x, x);
        }
        float ac = Math.min(a, TANH_CLAMP);
        float y = 1f - 2f / (exp(ac + ac) + 1f);
        return Math.copySign(y, x);
    }

    /**
     * Mish {@code x * tanh(softplus(x))} through the identity {@code tanh(log1p(n)) = n(n+2) / (n(n+2) + 2)} with
     * {@code n = e^min(x, 20)}: no log, exact for small n, and 1 from x = 20 on, where PyTorch's softplus threshold
     * makes it x as well.
     */
    public static float mish(float x) {
        float n = exp(Math.min(x, 20f));
        float m = n * (n + 2f);
        return x * (m / (m + 2f));
    }

    /** tanh-approximated GELU {@code 0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3)))}. */
    public static final float GELU_C = 0.7978845608028654f;

    public static float geluTanh(float x) {
        float inner = (x * 0.044715f * x * x + x) * GELU_C;
        return x * 0.5f * (tanh(inner) + 1f);
    }

    /**
     * Eigen's float32 {@code erf} (the rational approximation XLA and oneDNN use too): x clamped to [-4, 4] (beyond
     * which erf is +-1 in float32), {@code x P(x^2) / Q(x^2)} with FMA steps. Within 5e-7 absolute of the exact erf (measured 3.7e-7)
     * ({@code FloatMathTest}).
     */
    public static final float ERF_A1 = -1.60960333262415e-02f, ERF_A3 = -2.95459980854025e-03f,
            ERF_A5 = -7.34990630326855e-04f, ERF_A7 = -5.69250639462346e-05f, ERF_A9 = -2.10102402082508e-06f,
            ERF_A11 = 2.77068142495902e-08f, ERF_A13 = -2.72614225801306e-10f;
    public static final float ERF_B0 = -1.42647390514189e-02f, ERF_B2 = -7.37332916720468e-03f,
            ERF_B4 = -1.68282697438203e-03f, ERF_B6 = -2.13374055278905e-04f, ERF_B8 = -1.45660718464996e-05f;

    public static float erf(float a) {
        float x = Math.min(Math.max(a, -4f), 4f);
        float x2 = x * x;
        float p = Math.fma(x2, ERF_A13, ERF_A11);
        p = Math.fma(x2, p, ERF_A9);
        p = Math.fma(x2, p, ERF_A7);
        p = Math.fma(x2, p, ERF_A5);
        p = Math.fma(x2, p, ERF_A3);
        p = Math.fma(x2, p, ERF_A1);
        p = x * p;
        float q = Math.fma(x2, ERF_B8, ERF_B6);
        q = Math.fma(x2, q, ERF_B4);
        q = Math.fma(x2, q, ERF_B2);
        q = Math.fma(x2, q, ERF_B0);
        return p / q;
    }

    /** {@code (float) sqrt(1/2)}, torch's {@code M_SQRT1_2} in the float32 GELU kernel. */
    public static final float SQRT1_2 = 0.70710678118654752440f;

    /** Exact-erf GELU {@code x * 0.5 * (1 + erf(x / sqrt 2))} (torch {@code F.gelu}, approximate='none'). */
    public static float geluErf(float x) {
        return x * 0.5f * (erf(x * SQRT1_2) + 1f);
    }

    /** Snake {@code x + inv * sin(alpha * x)^2}. */
    public static float snake(float x, float alpha, float inv) {
        float s = sin(x * alpha);
        return s * s * inv + x;
    }
}
