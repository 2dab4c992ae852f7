/**
 * Optional native matrix products through oneDNN (Intel's DNNL), bound with {@code java.lang.foreign}: the flow
 * DiT's large {@code linear} layers in bfloat16 (AVX512_BF16 dot products, f32 accumulation) or float32.
 *
 * <p>Opt-in: {@link dev.cosyvoice4j.backend.onednn.OneDnnKernels#wrap} decorates the pure-Java kernels when a flag
 * asks for {@code onednn-bf16} or {@code onednn-f32}; without the library it prints
 * {@link dev.cosyvoice4j.backend.onednn.OneDnn#ABSENT} and keeps the Java kernels. The library comes from the
 * system ({@code apt-get install libdnnl2} on Debian 12, {@code libdnnl3} on Debian 13), a path in the property
 * {@code cosyvoice4j.onednn.library}, or the {@code org.bytedeco:dnnl:<v>:linux-x86_64} natives jar on the class
 * path. Nothing here is used unless requested.
 */
package dev.cosyvoice4j.backend.onednn;
