package dev.donjon.host.client;

import dev.donjon.attestation.policy.Policy;
import dev.donjon.collateral.CollateralService;
import java.util.Optional;

/**
 * What the client accepts from a Keep.
 *
 * @param policy              a policy (Enarx steward.toml semantics + Donjon's [tdx], [sim]) the verified evidence must pass
 * @param expectedMeasurement the launch measurement (hex) of the Keep runtime the owner trusts; for a sim Keep without
 *                            policy or measurement, this Donjon build's own runtime measurement is expected
 * @param allowInsecure       accept {@code nil} (no TEE) and {@code sim} (simulated TEE) Keeps, with a loud warning
 * @param amdChain            AMD ASK/ARK chain (PEM) for SEV-SNP evidence when the Keep does not carry it; the ARK must
 *                            still be one of AMD's pinned ARKs
 * @param simChain            the sim platform's ASK+ARK (PEM): trusted, as a SIMULATED root, only with {@code allowInsecure}
 * @param collateral          the collateral cache SGX and TDX quotes are appraised with (TCB Info, QE Identity, CRLs);
 *                            empty: SGX and TDX Keeps are refused. Its cached AMD CRLs also apply to SEV-SNP evidence.
 */
public record TrustOptions(
        Optional<Policy> policy,
        Optional<String> expectedMeasurement,
        boolean allowInsecure,
        Optional<byte[]> amdChain,
        Optional<byte[]> simChain,
        Optional<CollateralService> collateral) {

    /** Without a collateral cache: SGX and TDX Keeps are refused. */
    public TrustOptions(
            Optional<Policy> policy,
            Optional<String> expectedMeasurement,
            boolean allowInsecure,
            Optional<byte[]> amdChain,
            Optional<byte[]> simChain) {
        this(policy, expectedMeasurement, allowInsecure, amdChain, simChain, Optional.empty());
    }

    /** nil and sim Keeps accepted (sim under this chain), nothing else pinned. */
    public static TrustOptions insecure(Optional<byte[]> simChain) {
        return new TrustOptions(Optional.empty(), Optional.empty(), true, Optional.empty(), simChain);
    }

    public static TrustOptions insecure() {
        return insecure(Optional.empty());
    }

    public TrustOptions withExpectedMeasurement(String hex) {
        return new TrustOptions(policy, Optional.of(hex), allowInsecure, amdChain, simChain, collateral);
    }

    public TrustOptions withPolicy(Policy value) {
        return new TrustOptions(Optional.of(value), expectedMeasurement, allowInsecure, amdChain, simChain, collateral);
    }

    public TrustOptions secure() {
        return new TrustOptions(policy, expectedMeasurement, false, amdChain, simChain, collateral);
    }

    /** SGX and TDX evidence appraised with collateral from {@code cache}. */
    public TrustOptions withCollateral(CollateralService cache) {
        return new TrustOptions(policy, expectedMeasurement, allowInsecure, amdChain, simChain, Optional.of(cache));
    }
}
