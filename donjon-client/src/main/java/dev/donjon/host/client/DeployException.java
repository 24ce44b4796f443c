package dev.donjon.host.client;

/** The deployment stopped; the message says exactly why, on one line. */
public final class DeployException extends Exception {
    public DeployException(String message) {
        super(message);
    }
}
