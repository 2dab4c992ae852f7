/**
 * The backend seam: model code computes only through {@link dev.cosyvoice4j.backend.Backend} (every operation of a
 * forward pass, on {@link dev.cosyvoice4j.backend.Buf} activations and prepared weights), opened by name through
 * {@link dev.cosyvoice4j.backend.Backends}; with it the value types its operations take ({@link
 * dev.cosyvoice4j.backend.AttentionMask}, {@link dev.cosyvoice4j.backend.ConvSpec}, {@link
 * dev.cosyvoice4j.backend.NsfSpec}, {@link dev.cosyvoice4j.backend.Precision}, ...) and {@link
 * dev.cosyvoice4j.backend.FloatMath}, the deterministic float32 functions every backend shares.
 */
package dev.cosyvoice4j.backend;
