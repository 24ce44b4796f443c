package dev.donjon.platform;

import dev.donjon.abi.FormatException;

/** A backend cannot do what was asked; the message is one line that names the problem (and the path involved). */
public class PlatformException extends Exception {

    public PlatformException(String message) {
        super(message);
    }

    public PlatformException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Bytes from the TEE interface (or the host) that donjon-abi refused, with its message unchanged. */
    public PlatformException(FormatException e) {
        super(e.getMessage(), e);
    }
}
