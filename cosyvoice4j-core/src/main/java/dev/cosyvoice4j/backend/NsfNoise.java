package dev.cosyvoice4j.backend;

/**
 * The fixed random buffers of the causal NSF source, INJECTED instead of drawn. The official
 * {@code SineGen2(causal=True)} / {@code SourceModuleHnNSF(causal=True)} draw them once at construction
 * ({@code generator.py:222-226, 356-357}): {@code rand_ini = torch.rand(1, 9)} with element 0 set to 0,
 * {@code sine_waves = torch.rand(1, 300 * 24000, 9)} and {@code uv = torch.rand(1, 300 * 24000, 1)}, and slice
 * them from sample 0 on every call ({@code [:, :L]}), so the noise is indexed by absolute sample position.
 * Implementations must be immutable and thread-safe.
 */
public interface NsfNoise {
    /** Width of the buffers: 9 in the official code (hard-coded there, = nb_harmonics + 1 of CosyVoice3). */
    int width();

    /** {@code rand_ini[0, h]}: the initial phase offset (in cycles) of harmonic h; element 0 is 0. */
    float randIni(int harmonic);

    /** Writes {@code sine_waves[0, fromRow + r, h]} to {@code dst[dstOff + r * width() + h]} for r < rows. */
    void sineWaves(long fromRow, int rows, float[] dst, int dstOff);

    /** {@code uv[0, row, 0]} (only feeds the unused "noise" output of SourceModuleHnNSF; kept for checks). */
    float uv(long row);

    /** The fixtures' buffers ({@link FixedUniformNoise}): what the golden cases were computed with. */
    static NsfNoise fixedUniform() { return FixedUniformNoise.INSTANCE; }
}
