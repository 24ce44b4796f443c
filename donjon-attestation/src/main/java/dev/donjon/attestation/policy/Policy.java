package dev.donjon.attestation.policy;

import dev.donjon.attestation.TcbStatus;
import dev.donjon.attestation.VerificationResult;
import java.util.List;
import java.util.Optional;

/**
 * The validate stage: what a relying party accepts from evidence that verified. One section per TEE; evidence of
 * a TEE without a section is refused (default: refuse). Load with {@link PolicyToml}.
 *
 * @param sim rules (the [snp] keys) for SIMULATED evidence (the sim platform, SEV-SNP layout under a locally generated
 *            root): such evidence is judged by these alone, never by [snp], and refused when there is no [sim] section
 */
public record Policy(Optional<SnpRules> snp, Optional<SgxRules> sgx, Optional<TdxRules> tdx, Optional<SnpRules> sim) {

    /** A policy that accepts no simulated evidence. */
    public Policy(Optional<SnpRules> snp, Optional<SgxRules> sgx, Optional<TdxRules> tdx) {
        this(snp, sgx, tdx, Optional.empty());
    }

    /** Judges verified evidence; its claims must be of a kind {@link ClaimFacts} knows. */
    public PolicyDecision evaluate(VerificationResult.Accepted verified) {
        PolicyFacts facts = ClaimFacts.of(verified.claims());
        if (verified.claims().simulated()) {
            if (!(facts instanceof PolicyFacts.Snp f) || sim.isEmpty()) {
                return new PolicyDecision.Reject(
                        "sim",
                        "the evidence is SIMULATED (signed under a locally generated root, not the"
                                + " TEE vendor's) and the policy has no [sim] section");
            }
            return switch (sim.get().evaluate(f)) {
                case PolicyDecision.Accept ok ->
                    new PolicyDecision.Accept(java.util.stream.Stream.concat(
                                    java.util.stream.Stream.of(
                                            "SIMULATED evidence accepted by the [sim] section: it proves nothing about hardware"),
                                    ok.notes().stream())
                            .toList());
                case PolicyDecision.Reject no ->
                    new PolicyDecision.Reject(no.rule().replaceFirst("^snp\\.", "sim."), no.detail());
            };
        }
        return evaluate(facts, verified.tcbStatus(), verified.advisories());
    }

    public PolicyDecision evaluate(PolicyFacts facts, Optional<TcbStatus> tcbStatus, List<String> advisories) {
        return switch (facts) {
            case PolicyFacts.Snp f -> snp.map(r -> r.evaluate(f)).orElseGet(() -> noSection("snp"));
            case PolicyFacts.Sgx f ->
                sgx.map(r -> r.evaluate(f, tcbStatus, advisories)).orElseGet(() -> noSection("sgx"));
            case PolicyFacts.Tdx f ->
                tdx.map(r -> r.evaluate(f, tcbStatus, advisories)).orElseGet(() -> noSection("tdx"));
        };
    }

    private static PolicyDecision noSection(String tee) {
        return new PolicyDecision.Reject(
                tee, "the policy has no [" + tee + "] section, so " + tee + " evidence is not accepted");
    }
}
