package dev.donjon.collateral;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** A service collateral is fetched from: Intel's PCS (or a PCCS) or AMD's KDS. Fetched pieces are not yet trusted. */
public interface CollateralSource {

    /** For messages: the service's base URL. */
    String name();

    boolean serves(CollateralKey key);

    /** @throws FetchException the service could not be reached or refused; says when to try again if it said */
    CollateralEntry fetch(CollateralKey key, Instant now) throws FetchException;

    /** A failed fetch: one line naming the URL and why, and the service's Retry-After if it gave one. */
    final class FetchException extends Exception {
        private final Optional<Duration> retryAfter;

        public FetchException(String message, Optional<Duration> retryAfter) {
            super(message);
            this.retryAfter = retryAfter;
        }

        public FetchException(String message) {
            this(message, Optional.empty());
        }

        public Optional<Duration> retryAfter() {
            return retryAfter;
        }
    }
}
