/**
 * The {@code scalar} backend ({@link dev.cosyvoice4j.backend.scalar.ScalarBackend}, registered by
 * {@link dev.cosyvoice4j.backend.scalar.ScalarBackendProvider}): every operation as plain single-threaded loops, the
 * specification and test oracle that other backends are checked against.
 */
package dev.cosyvoice4j.backend.scalar;
