package dev.donjon.server;

/** One route's work: read the request, answer it (or throw {@link ApiError} or a domain exception). */
@FunctionalInterface
public interface Handler {
    void handle(Exchange exchange) throws Exception;
}
