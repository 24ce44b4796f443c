package dev.donjon.steward;

import dev.donjon.attestation.Endorsements;
import dev.donjon.attestation.MalformedEvidenceException;
import dev.donjon.attestation.Tee;
import dev.donjon.attestation.policy.Policy;
import dev.donjon.attestation.snp.SnpTrustAnchors;
import dev.donjon.attestation.snp.SnpVerifier;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Evidence of Donjon's {@code sim} backend (SEV-SNP layout, signed under a locally made ARK): checked exactly as SNP
 * evidence, but chained only to the sim root that the policy's {@code [sim].root} names, and judged only by the
 * {@code [sim]} rules. Without a {@code [sim]} section such a CSR is refused (403): a Steward never trusts a sim root
 * it was not told to.
 */
final class SimEvidence {

    private SimEvidence() {}

    /**
     * @param atStart the policy the Steward started with: its {@code [sim].root} is the only sim anchor (a reloaded
     *                policy changes the rules, not the anchor)
     * @param rules   the current {@code [sim]} rules, read at each request
     */
    static EvidenceCheck check(StewardPolicy atStart, Supplier<Optional<Policy>> rules) {
        if (atStart.simRoot().isEmpty()) {
            return (csr, evidence, now) -> {
                throw Denial.refused("sim", "the CSR carries SIMULATED evidence and the policy has no [sim] section, so sim Keeps are not accepted");
            };
        }
        byte[] root = atStart.simRoot().get();
        SnpTrustAnchors anchors;
        try {
            anchors = SnpTrustAnchors.amd().withSimulatedRoots(root);
        } catch (MalformedEvidenceException e) {
            throw new IllegalArgumentException("sim.root: " + e.getMessage(), e);
        }
        Endorsements pinned = new Endorsements(Optional.empty(), Optional.empty(), Optional.of(root), List.of(), Optional.empty(), Optional.empty());
        // [sim] holds the [snp] keys; simulated claims are judged by a Policy's sim rules and nothing else
        return new VerifiedEvidence("sim", Tee.SNP, new SnpVerifier(anchors), pinned, KeyBinding.SHA_384,
                () -> rules.get().map(p -> new Policy(Optional.empty(), Optional.empty(), Optional.empty(), p.snp())));
    }
}
