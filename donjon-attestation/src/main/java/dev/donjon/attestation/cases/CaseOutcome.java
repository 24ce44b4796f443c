package dev.donjon.attestation.cases;

import dev.donjon.attestation.VerificationResult;
import java.util.List;
import java.util.Optional;

/**
 * How one manifest case went.
 *
 * @param passed   result, TCB status, advisories and fields as expected (a different reject reason is only a warning)
 * @param problems why it failed (empty when passed)
 * @param warnings differences that do not fail the case, e.g. another reject reason than the one expected
 * @param result   what the verifier said; empty when the case could not be run (unreadable file, no verifier)
 */
public record CaseOutcome(
        String id,
        String tee,
        boolean passed,
        List<String> problems,
        List<String> warnings,
        Optional<VerificationResult> result) {

    public CaseOutcome {
        problems = List.copyOf(problems);
        warnings = List.copyOf(warnings);
    }

    /** One line: PASS/FAIL, the id, what the verifier said, then problems and warnings. */
    public String line() {
        StringBuilder sb =
                new StringBuilder(passed ? "PASS " : "FAIL ").append(id).append(": ");
        sb.append(result.map(CaseOutcome::verdict).orElse("not run"));
        for (String p : problems) sb.append("; ").append(p);
        for (String w : warnings) sb.append("; warning: ").append(w);
        return sb.toString();
    }

    static String verdict(VerificationResult r) {
        return switch (r) {
            case VerificationResult.Accepted a ->
                "accept"
                        + a.tcbStatus().map(s -> " " + s.wireName()).orElse("")
                        + (a.advisories().isEmpty() ? "" : " " + a.advisories());
            case VerificationResult.Rejected j -> "reject/" + j.reason().wireName() + " (" + j.detail() + ")";
        };
    }
}
