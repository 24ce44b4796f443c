package dev.donjon.wasi;

/** Base of the WASI host's failures; every message is one line that names the problem. */
public class WasiException extends RuntimeException {
    public WasiException(String message) {
        super(message);
    }

    public WasiException(String message, Throwable cause) {
        super(message, cause);
    }
}
