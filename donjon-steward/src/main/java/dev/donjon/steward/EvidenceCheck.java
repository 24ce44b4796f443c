package dev.donjon.steward;

import dev.donjon.abi.csr.KeepCsr;
import java.time.Instant;
import org.bouncycastle.asn1.x509.Extension;

/** Verifies the evidence one attestation extension carries, its binding to the CSR key, and the policy for it. */
interface EvidenceCheck {

    /** @throws Denial when the evidence proves nothing, is not bound to the key, or the policy refuses it */
    AttestedKeep check(KeepCsr csr, Extension evidence, Instant now) throws Denial;
}
