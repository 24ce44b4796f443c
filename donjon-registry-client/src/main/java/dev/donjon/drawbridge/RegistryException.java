package dev.donjon.drawbridge;

/**
 * A refused or failed registry operation, with the HTTP status that says why and a one-line reason.
 * The server turns it into its response; the client raises it for what the registry (or a check) refused.
 */
public class RegistryException extends RuntimeException {
    private final int status;

    public RegistryException(int status, String message) {
        super(message);
        this.status = status;
    }

    public RegistryException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status: 4xx for what the caller did wrong, 5xx for what the store found wrong. */
    public int status() {
        return status;
    }

    static RegistryException badRequest(String message) {
        return new RegistryException(400, message);
    }
}
