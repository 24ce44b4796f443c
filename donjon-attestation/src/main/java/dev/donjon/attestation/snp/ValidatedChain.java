package dev.donjon.attestation.snp;

import dev.donjon.abi.snp.KdsExtensions;
import dev.donjon.abi.snp.ProductLine;
import dev.donjon.abi.snp.SigningKey;
import dev.donjon.attestation.RejectReason;
import dev.donjon.attestation.VerificationException;
import java.security.PublicKey;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A VCEK/VLEK whose signatures up to a pinned ARK, and whose relevant CRLs, have verified. Nothing here depends
 * on the clock, so it can be memoized; {@link #checkValidAt} judges the validity windows on every use.
 *
 * @param product   the product line named by the ARK ("ARK-Milan"), when it names one
 * @param simulated the chain ends in a configured simulated root, not in one of AMD's ARKs
 */
public record ValidatedChain(
        PublicKey leafKey,
        SigningKey signingKey,
        KdsExtensions extensions,
        Optional<ProductLine> product,
        List<Window> windows,
        boolean simulated) {

    /** A validity interval, inclusive at both ends: a certificate's notBefore/notAfter or a CRL's thisUpdate/nextUpdate. */
    public record Window(String what, Instant from, Optional<Instant> to) {}

    public ValidatedChain {
        windows = List.copyOf(windows);
    }

    void checkValidAt(Instant now) throws VerificationException {
        for (Window w : windows) {
            if (now.isBefore(w.from())) {
                throw new VerificationException(RejectReason.EXPIRED, w.what() + " is not valid before " + w.from());
            }
            if (w.to().isPresent() && now.isAfter(w.to().get())) {
                throw new VerificationException(RejectReason.EXPIRED, w.what() + " expired at " + w.to().get());
            }
        }
    }
}
