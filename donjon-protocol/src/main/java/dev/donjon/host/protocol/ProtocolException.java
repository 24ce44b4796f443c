package dev.donjon.host.protocol;

/** A protocol message that is malformed, not meant for us, replayed or otherwise refused; the message is one line. */
public class ProtocolException extends Exception {
    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
