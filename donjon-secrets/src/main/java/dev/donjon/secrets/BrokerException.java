package dev.donjon.secrets;

/** The broker cannot start or cannot do what was asked; the message is one line that names the problem. */
public class BrokerException extends Exception {
    public BrokerException(String message) {
        super(message);
    }

    public BrokerException(String message, Throwable cause) {
        super(message, cause);
    }
}
