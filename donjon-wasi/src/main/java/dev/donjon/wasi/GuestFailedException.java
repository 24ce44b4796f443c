package dev.donjon.wasi;

/** The guest started but did not end with an exit code: it trapped, exceeded a limit, or was stopped. */
public final class GuestFailedException extends WasiException {

    public enum Reason {
        TRAP,
        MEMORY_LIMIT,
        TIME_LIMIT,
        CPU_TIME_LIMIT,
        STOPPED,
        HOST_ERROR
    }

    private final Reason reason;

    public GuestFailedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public GuestFailedException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
