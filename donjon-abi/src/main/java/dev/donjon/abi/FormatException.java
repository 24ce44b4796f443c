package dev.donjon.abi;

/**
 * Bytes that are not the format they claim to be. The message is one line that names the field or rule broken, and
 * never carries key material or workload bytes; callers wrap it in their own refusal (a malformed-evidence verdict, a
 * platform error) without rewording.
 */
public class FormatException extends Exception {

    public FormatException(String message) {
        super(message);
    }

    public FormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
