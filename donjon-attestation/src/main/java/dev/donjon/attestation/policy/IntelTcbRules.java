package dev.donjon.attestation.policy;

import dev.donjon.attestation.TcbStatus;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which Intel TCB outcomes are acceptable. As Enarx: without {@code allowed_advisories} only UpToDate passes; with them,
 * every advisory of the matched TCB levels must be listed. {@code tcb_statuses} (Donjon) additionally limits the status.
 * A quote verified without collateral has no status and is refused: TCB recovery cannot be judged.
 */
public record IntelTcbRules(Set<TcbStatus> statuses, Set<String> allowedAdvisories) {

    public IntelTcbRules {
        statuses = Set.copyOf(statuses);
        allowedAdvisories = Set.copyOf(allowedAdvisories);
    }

    Optional<PolicyDecision.Reject> check(String section, Optional<TcbStatus> status, List<String> advisories) {
        if (status.isEmpty()) {
            return Optional.of(new PolicyDecision.Reject(
                    section + ".tcb_statuses",
                    "the TCB status was not evaluated (no collateral), so it cannot be accepted"));
        }
        TcbStatus s = status.get();
        if (!statuses.isEmpty() && !statuses.contains(s)) {
            return Optional.of(new PolicyDecision.Reject(
                    section + ".tcb_statuses", "TCB status " + s.wireName() + " is not accepted"));
        }
        if (allowedAdvisories.isEmpty()) {
            if (statuses.isEmpty() && s != TcbStatus.UP_TO_DATE) {
                return Optional.of(new PolicyDecision.Reject(
                        section + ".allowed_advisories",
                        "TCB status is " + s.wireName() + ", not UpToDate, and no advisories are allowed"));
            }
            if (!advisories.isEmpty()) {
                return Optional.of(new PolicyDecision.Reject(
                        section + ".allowed_advisories",
                        "TCB has advisories " + new TreeSet<>(advisories) + " and none are allowed"));
            }
        } else {
            Set<String> extra = new TreeSet<>(advisories);
            extra.removeAll(allowedAdvisories);
            if (!extra.isEmpty()) {
                return Optional.of(new PolicyDecision.Reject(
                        section + ".allowed_advisories", "TCB has additional advisories " + extra));
            }
        }
        return Optional.empty();
    }
}
