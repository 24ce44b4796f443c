package dev.donjon.host.client;

import dev.donjon.attestation.policy.Policy;
import java.util.Optional;

/**
 * What the client accepts from a Keep.
 *
 * @param policy              a policy (Enarx steward.toml semantics + Donjon's keys) the verified evidence must pass
 * @param expectedMeasurement the launch measurement (hex) of the Keep runtime the owner trusts
 * @param allowInsecure       accept {@code nil} (no TEE) and {@code sim} (simulated TEE) Keeps, with a loud warning
 * @param amdChain            pinned AMD ASK/ARK chain (PEM) for SEV-SNP evidence; without it SNP evidence is refused
 */
public record TrustOptions(Optional<Policy> policy, Optional<String> expectedMeasurement, boolean allowInsecure,
                           Optional<byte[]> amdChain) {

    public static TrustOptions insecure() { return new TrustOptions(Optional.empty(), Optional.empty(), true, Optional.empty()); }
}
