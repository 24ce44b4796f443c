package dev.donjon.steward;

import dev.donjon.abi.csr.KeepCsr;
import dev.donjon.attestation.EvidenceInput;
import org.bouncycastle.asn1.x509.Extension;

/** Turns one attestation extension of a CSR into what a donjon-attestation verifier reads. */
@FunctionalInterface
interface EvidenceReader {

    /** @throws Denial (malformed) when the extension does not have the kind's ASN.1 form */
    EvidenceInput read(KeepCsr csr, Extension evidence) throws Denial;
}
