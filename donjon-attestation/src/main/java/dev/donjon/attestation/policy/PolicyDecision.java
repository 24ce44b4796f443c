package dev.donjon.attestation.policy;

import dev.donjon.attestation.RejectReason;
import java.util.List;

/** What a policy says about verified evidence. */
public sealed interface PolicyDecision {

    boolean accepted();

    /** @param notes things the relying party should see even though they are allowed (e.g. a debug Keep) */
    record Accept(List<String> notes) implements PolicyDecision {
        public Accept {
            notes = List.copyOf(notes);
        }

        public boolean accepted() {
            return true;
        }
    }

    /** @param rule the policy key that refused, e.g. "snp.hash"; detail is one line naming the value */
    record Reject(String rule, String detail) implements PolicyDecision {
        public boolean accepted() {
            return false;
        }

        public RejectReason reason() {
            return RejectReason.POLICY;
        }

        public String message() {
            return "policy " + rule + ": " + detail;
        }
    }
}
