package dev.donjon.steward;

import dev.donjon.abi.csr.KeepCsr;
import java.time.Instant;
import org.bouncycastle.asn1.x509.Extension;

/** A kind of evidence the Steward's configuration does not accept at all (e.g. sim without a [sim] section). */
record Refusal(String rule, String reason) implements EvidenceCheck {
    @Override
    public AttestedKeep check(KeepCsr csr, Extension evidence, Instant now) throws Denial {
        throw Denial.refused(rule, reason);
    }
}
