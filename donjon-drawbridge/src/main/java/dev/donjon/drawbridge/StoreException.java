package dev.donjon.drawbridge;

/**
 * What the registry's store refuses or finds wrong, in its own terms (no HTTP here: the server's error mapper turns
 * each kind into a status, see {@code RegistryHandler#mapError}).
 */
public abstract sealed class StoreException extends RuntimeException {

    StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** No such user, repository, tag or node. */
    public static final class NotFound extends StoreException {
        NotFound(String message) {
            super(message, null);
        }
    }

    /** It exists already with other content, or must come after something that is not there yet. */
    public static final class Conflict extends StoreException {
        Conflict(String message) {
            super(message, null);
        }
    }

    /** The upload does not match what it claims (digest, length, type) or is malformed. */
    public static final class Rejected extends StoreException {
        Rejected(String message) {
            super(message, null);
        }
    }

    /** The upload is larger than the store accepts. */
    public static final class TooLarge extends StoreException {
        TooLarge(String message) {
            super(message, null);
        }
    }

    /** The upload's length was not announced. */
    public static final class LengthRequired extends StoreException {
        LengthRequired(String message) {
            super(message, null);
        }
    }

    /** The store itself failed (disk, permissions) or holds bytes that no longer match their digest: never served. */
    public static final class Damaged extends StoreException {
        Damaged(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The database cannot be reached or failed; nothing was half-written, and the request may be retried. */
    public static final class Unavailable extends StoreException {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The subject already owns a user name (a subject registers itself once). */
    public static final class AlreadyRegistered extends StoreException {
        AlreadyRegistered(String message) {
            super(message, null);
        }
    }
}
