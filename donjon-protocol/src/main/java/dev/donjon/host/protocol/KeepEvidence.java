package dev.donjon.host.protocol;

import java.util.Objects;

/**
 * Hardware (or simulated) evidence as the Keep's platform produced it, carried to the client unchanged.
 *
 * @param tee          TEE family wire name ("snp", "sgx", "tdx")
 * @param container    how {@code evidence} is packaged (the attestation module's container wire names, e.g. "snp-report")
 * @param evidence     the report or quote
 * @param endorsements certificates the platform supplied beside it (e.g. the VCEK and its chain, PEM); may be empty.
 *                     The client decides which roots it trusts: nothing here is trusted by being here.
 */
public record KeepEvidence(String tee, String container, byte[] evidence, byte[] endorsements) {
    public KeepEvidence {
        Objects.requireNonNull(tee, "tee");
        Objects.requireNonNull(container, "container");
        evidence = evidence.clone();
        endorsements = endorsements.clone();
    }
}
