package dev.donjon.collateral;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A piece of collateral as its service sent it: the exact bytes (signatures are over them), the issuer chain the PCS
 * sent in a header (PEM; Intel pieces only), where it came from and when. Nothing here is trusted until
 * {@link CollateralChecks} has verified it at an instant.
 */
public record CollateralEntry(
        CollateralKey key, byte[] body, Optional<String> issuerChain, String source, Instant fetched) {

    public CollateralEntry {
        Objects.requireNonNull(key, "key");
        body = body.clone();
        Objects.requireNonNull(issuerChain, "issuerChain");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(fetched, "fetched");
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    /** An entry that passed its checks at some instant, with what the checks read from it. */
    public record Verified(CollateralEntry entry, String subject, Instant issued, Instant nextUpdate) {
        /** Inside its window: usable at {@code now}. */
        public boolean validAt(Instant now) {
            return !now.isBefore(issued) && !now.isAfter(nextUpdate);
        }
    }

    @Override
    public String toString() {
        return "CollateralEntry[" + key.id() + ", " + body.length + " bytes from " + source + " at " + fetched + "]";
    }
}
