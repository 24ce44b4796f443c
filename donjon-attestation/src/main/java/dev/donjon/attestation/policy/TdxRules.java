package dev.donjon.attestation.policy;

import dev.donjon.attestation.TcbStatus;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The [tdx] section (Donjon's, in the style of Enarx's): {@code hash} / {@code hash_blacklist} (MRTD),
 * {@code mr_owner} (allowed MROWNER values), {@code min_tee_tcb_svn} (16-byte hex, each byte a minimum for the
 * matching TEE_TCB_SVN component), {@code allowed_advisories}, {@code tcb_statuses}, {@code allow_debug}.
 */
public record TdxRules(
        Set<String> hash,
        Set<String> hashBlacklist,
        Set<String> mrOwner,
        Optional<String> minTeeTcbSvn,
        IntelTcbRules tcb,
        boolean allowDebug) {

    public TdxRules {
        hash = Set.copyOf(hash);
        hashBlacklist = Set.copyOf(hashBlacklist);
        mrOwner = Set.copyOf(mrOwner);
    }

    PolicyDecision evaluate(PolicyFacts.Tdx f, Optional<TcbStatus> status, List<String> advisories) {
        if (f.debug() && !allowDebug) {
            return reject("allow_debug", "the TD is debuggable and the policy does not allow debug TDs");
        }
        if (!hash.isEmpty() && !hash.contains(f.mrTd())) return reject("hash", "untrusted MRTD " + f.mrTd());
        if (hashBlacklist.contains(f.mrTd())) return reject("hash_blacklist", "MRTD " + f.mrTd() + " is denied");
        if (!mrOwner.isEmpty() && !mrOwner.contains(f.mrOwner()))
            return reject("mr_owner", "untrusted MROWNER " + f.mrOwner());
        if (minTeeTcbSvn.isPresent()) {
            byte[] min = HexFormat.of().parseHex(minTeeTcbSvn.get());
            byte[] got = f.teeTcbSvnBytes();
            for (int i = 0; i < min.length; i++) {
                if (i >= got.length || (got[i] & 0xFF) < (min[i] & 0xFF)) {
                    return reject(
                            "min_tee_tcb_svn",
                            "TEE_TCB_SVN " + f.teeTcbSvn() + " is below the minimum " + minTeeTcbSvn.get()
                                    + " at component " + i);
                }
            }
        }
        var tcbRejection = tcb.check("tdx", status, advisories);
        if (tcbRejection.isPresent()) return tcbRejection.get();
        return new PolicyDecision.Accept(
                f.debug() ? List.of("DEBUG TD accepted: the host can read its memory") : List.of());
    }

    private static PolicyDecision.Reject reject(String key, String detail) {
        return new PolicyDecision.Reject("tdx." + key, detail);
    }
}
