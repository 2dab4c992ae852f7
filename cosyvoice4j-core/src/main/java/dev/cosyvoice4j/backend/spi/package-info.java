/** The extension point of backends: implement {@link dev.cosyvoice4j.backend.spi.BackendProvider} and list it as a service. */
package dev.cosyvoice4j.backend.spi;
