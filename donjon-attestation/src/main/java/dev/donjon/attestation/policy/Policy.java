package dev.donjon.attestation.policy;

import dev.donjon.attestation.TcbStatus;
import dev.donjon.attestation.VerificationResult;
import java.util.List;
import java.util.Optional;

/**
 * The validate stage: what a relying party accepts from evidence that verified. One section per TEE; evidence of
 * a TEE without a section is refused (default: refuse). Load with {@link PolicyToml}.
 */
public record Policy(Optional<SnpRules> snp, Optional<SgxRules> sgx, Optional<TdxRules> tdx) {

    /** Judges verified evidence; its claims must be of a kind {@link ClaimFacts} knows. */
    public PolicyDecision evaluate(VerificationResult.Accepted verified) {
        return evaluate(ClaimFacts.of(verified.claims()), verified.tcbStatus(), verified.advisories());
    }

    public PolicyDecision evaluate(PolicyFacts facts, Optional<TcbStatus> tcbStatus, List<String> advisories) {
        return switch (facts) {
            case PolicyFacts.Snp f -> snp.map(r -> r.evaluate(f)).orElseGet(() -> noSection("snp"));
            case PolicyFacts.Sgx f -> sgx.map(r -> r.evaluate(f, tcbStatus, advisories)).orElseGet(() -> noSection("sgx"));
            case PolicyFacts.Tdx f -> tdx.map(r -> r.evaluate(f, tcbStatus, advisories)).orElseGet(() -> noSection("tdx"));
        };
    }

    private static PolicyDecision noSection(String tee) {
        return new PolicyDecision.Reject(tee, "the policy has no [" + tee + "] section, so " + tee + " evidence is not accepted");
    }
}
