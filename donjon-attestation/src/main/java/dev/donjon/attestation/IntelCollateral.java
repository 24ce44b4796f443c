package dev.donjon.attestation;

import java.util.Optional;

/** Intel PCS collateral, in one of the two shapes it is found in. */
public sealed interface IntelCollateral {

    /** Phala dcap-qvl's JSON bundle (tcb_info, qe_identity, issuer chains, CRLs in one object). */
    record DcapQvlJson(byte[] json) implements IntelCollateral {}

    /** Separate files as served by the PCS (exact bytes; issuer chains as PEM from the HTTP headers). */
    record Files(
            byte[] tcbInfo,
            byte[] tcbInfoIssuerChain,
            Optional<byte[]> qeIdentity,
            Optional<byte[]> qeIdentityIssuerChain,
            Optional<byte[]> pckCrl,
            Optional<byte[]> pckCrlIssuerChain,
            Optional<byte[]> rootCaCrl)
            implements IntelCollateral {}
}
