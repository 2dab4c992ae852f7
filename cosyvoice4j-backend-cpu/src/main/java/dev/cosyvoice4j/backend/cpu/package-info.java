/**
 * The {@code cpu} backend ({@link dev.cosyvoice4j.backend.cpu.CpuBackend}, registered by
 * {@link dev.cosyvoice4j.backend.cpu.CpuBackendProvider}): package-private Vector API kernels on a
 * {@link dev.cosyvoice4j.backend.cpu.KernelPool} of threads, Q8_0 / Q4_0 weights, and oneDNN for bf16 products. Its
 * public helpers ({@code KernelPool}, {@code QuantizedWeights}, {@code VectorMath}, {@code Lanes}, {@code Roofline})
 * serve the oneDNN glue, tests and benchmarks.
 */
package dev.cosyvoice4j.backend.cpu;
