package dev.donjon.cli;

/** A failure that must end the process with a specific exit code and a one-line message. */
public class ExitCodeException extends RuntimeException {
    private final int exitCode;

    public ExitCodeException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
