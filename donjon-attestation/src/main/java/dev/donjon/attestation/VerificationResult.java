package dev.donjon.attestation;

import java.util.List;
import java.util.Optional;

/** The outcome of verifying one piece of evidence. */
public sealed interface VerificationResult {

    Tee tee();

    boolean accepted();

    /**
     * Authentic evidence, every supplied endorsement valid at the evaluation instant.
     *
     * @param tcbStatus  Intel TCB status when collateral was evaluated; empty otherwise
     * @param advisories advisory IDs of the matched levels (empty when none or not known)
     */
    record Accepted(Tee tee, Claims claims, Optional<TcbStatus> tcbStatus, List<String> advisories)
            implements VerificationResult {
        public Accepted {
            advisories = List.copyOf(advisories);
        }

        @Override
        public boolean accepted() {
            return true;
        }
    }

    /** Rejected for a precise reason; detail is one line naming the problem. */
    record Rejected(Tee tee, RejectReason reason, String detail) implements VerificationResult {
        @Override
        public boolean accepted() {
            return false;
        }
    }
}
