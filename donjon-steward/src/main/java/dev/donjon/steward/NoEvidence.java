package dev.donjon.steward;

import dev.donjon.abi.csr.KeepCsr;
import java.time.Instant;
import org.bouncycastle.asn1.x509.Extension;

/** Enarx's KVM/none extension: the Keep says it has no hardware to prove anything with, so nothing is issued. */
record NoEvidence(String name) implements EvidenceCheck {
    @Override
    public AttestedKeep check(KeepCsr csr, Extension evidence, Instant now) throws Denial {
        throw Denial.noAttestation(name, "the CSR carries " + name + " evidence, which proves nothing about the Keep");
    }
}
