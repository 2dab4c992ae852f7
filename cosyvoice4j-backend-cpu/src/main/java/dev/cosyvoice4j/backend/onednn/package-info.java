/**
 * Optional native matrix products through oneDNN (Intel's DNNL), bound with {@code java.lang.foreign}: the flow
 * DiT's large {@code linear} layers in bfloat16 (AVX512_BF16 dot products, f32 accumulation) or float32.
 *
 * <p>Opt-in: the {@code cpu} backend ({@code backend.cpu.CpuBackend}) loads it at the first bf16 weight it prepares
 * and then runs those weights' products (and bf16 attention) here; without the library {@code supports(BF16)} is
 * false and the message is {@link dev.cosyvoice4j.backend.onednn.OneDnn#ABSENT}. The library comes from
 * {@code BackendOptions.oneDnnLibrary()}, the system ({@code apt-get install libdnnl2} on Debian 12,
 * {@code libdnnl3} on Debian 13), or the {@code org.bytedeco:dnnl:<v>:linux-x86_64} natives jar on the class path.
 * Nothing here is used unless requested.
 */
package dev.cosyvoice4j.backend.onednn;
