package dev.donjon.host.client;

import dev.donjon.attestation.policy.Policy;
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
 */
public record TrustOptions(Optional<Policy> policy, Optional<String> expectedMeasurement, boolean allowInsecure,
                           Optional<byte[]> amdChain, Optional<byte[]> simChain) {

    /** nil and sim Keeps accepted (sim under this chain), nothing else pinned. */
    public static TrustOptions insecure(Optional<byte[]> simChain) {
        return new TrustOptions(Optional.empty(), Optional.empty(), true, Optional.empty(), simChain);
    }

    public static TrustOptions insecure() { return insecure(Optional.empty()); }

    public TrustOptions withExpectedMeasurement(String hex) {
        return new TrustOptions(policy, Optional.of(hex), allowInsecure, amdChain, simChain);
    }

    public TrustOptions withPolicy(Policy value) {
        return new TrustOptions(Optional.of(value), expectedMeasurement, allowInsecure, amdChain, simChain);
    }

    public TrustOptions secure() { return new TrustOptions(policy, expectedMeasurement, false, amdChain, simChain); }
}
