/**
 * What the Java-heap backends ({@code scalar}, {@code cpu}) share: {@link dev.cosyvoice4j.backend.host.HostBuf} (a
 * {@code Buf} over a heap array with an offset), {@link dev.cosyvoice4j.backend.host.HostOps} (the plain-loop
 * operations both run) and {@link dev.cosyvoice4j.backend.host.GgmlQuant} (the Q8_0 / Q4_0 quantiser).
 */
package dev.cosyvoice4j.backend.host;
