package dev.donjon.attestation;

import java.util.List;
import java.util.Optional;

/**
 * Everything supplied beside the evidence to verify it. All optional: each verifier takes what its TEE needs
 * and refuses when something it needs is absent. Byte arrays hold file contents as given (DER or PEM).
 *
 * @param vcek       AMD VCEK certificate (first certificate in the bytes is the VCEK)
 * @param vlek       AMD VLEK certificate
 * @param amdChain   PEM bundle: ASK and/or ASVK and the ARK (the self-signed ARK is the trust anchor)
 * @param crls       extra CRLs; only those issued by a CA in the chain being validated are relevant
 * @param collateral Intel TCB collateral
 * @param rootCa     the pinned Intel SGX root CA (default: Intel's production root, bundled); any root embedded elsewhere
 *                   must equal it byte for byte
 */
public record Endorsements(
        Optional<byte[]> vcek,
        Optional<byte[]> vlek,
        Optional<byte[]> amdChain,
        List<byte[]> crls,
        Optional<IntelCollateral> collateral,
        Optional<byte[]> rootCa) {

    public Endorsements {
        crls = List.copyOf(crls);
    }

    public static Endorsements none() {
        return new Endorsements(
                Optional.empty(), Optional.empty(), Optional.empty(), List.of(), Optional.empty(), Optional.empty());
    }
}
