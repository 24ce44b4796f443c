package dev.donjon.platform;

/** A backend cannot do what was asked; the message is one line that names the problem (and the path involved). */
public class PlatformException extends Exception {

    public PlatformException(String message) {
        super(message);
    }

    public PlatformException(String message, Throwable cause) {
        super(message, cause);
    }
}
