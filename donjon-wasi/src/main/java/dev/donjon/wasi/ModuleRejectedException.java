package dev.donjon.wasi;

/** The bytes are not a runnable WASI command: bad magic, malformed, no {@code _start}, unknown import... */
public final class ModuleRejectedException extends WasiException {
    public ModuleRejectedException(String message) {
        super(message);
    }

    public ModuleRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
