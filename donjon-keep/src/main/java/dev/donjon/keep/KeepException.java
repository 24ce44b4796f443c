package dev.donjon.keep;

/** The Keep cannot start: a socket cannot be opened, the identity cannot be made... One line, names the problem. */
public final class KeepException extends RuntimeException {
    public KeepException(String message) {
        super(message);
    }

    public KeepException(String message, Throwable cause) {
        super(message, cause);
    }
}
