package dev.donjon.attestation.policy;

import dev.donjon.attestation.TcbStatus;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The [sgx] section. Enarx keys: {@code signer} (MRSIGNER), {@code hash} / {@code hash_blacklist} (MRENCLAVE),
 * {@code features} (ATTRIBUTES flags the enclave may have; INIT and MODE64BIT always allowed), {@code misc_select},
 * {@code enclave_security_version} (minimum ISVSVN), {@code enclave_product_id} (exact ISVPRODID),
 * {@code allowed_advisories}. Donjon keys: {@code tcb_statuses}, {@code allow_debug}. Digests are lower-case hex (32 bytes).
 *
 * @param allowedFeatures mask of allowed ATTRIBUTES flags; empty = not checked
 */
public record SgxRules(
        Set<String> signer,
        Set<String> hash,
        Set<String> hashBlacklist,
        OptionalLong allowedFeatures,
        OptionalInt miscSelect,
        OptionalInt enclaveSecurityVersion,
        OptionalInt enclaveProductId,
        IntelTcbRules tcb,
        boolean allowDebug) {

    public SgxRules {
        signer = Set.copyOf(signer);
        hash = Set.copyOf(hash);
        hashBlacklist = Set.copyOf(hashBlacklist);
    }

    PolicyDecision evaluate(PolicyFacts.Sgx f, Optional<TcbStatus> status, List<String> advisories) {
        if (f.debug() && !debugAllowed()) {
            return reject("allow_debug", "the enclave is a DEBUG enclave and the policy does not allow debug enclaves");
        }
        if (!signer.isEmpty() && !signer.contains(f.mrSigner()))
            return reject("signer", "untrusted enarx signer " + f.mrSigner());
        if (!hash.isEmpty() && !hash.contains(f.mrEnclave()))
            return reject("hash", "untrusted enarx hash " + f.mrEnclave());
        if (hashBlacklist.contains(f.mrEnclave()))
            return reject("hash_blacklist", "MRENCLAVE " + f.mrEnclave() + " is denied");
        if (enclaveProductId.isPresent() && f.isvProdId() != enclaveProductId.getAsInt()) {
            return reject("enclave_product_id", "untrusted enclave product id " + f.isvProdId());
        }
        if (enclaveSecurityVersion.isPresent() && f.isvSvn() < enclaveSecurityVersion.getAsInt()) {
            return reject(
                    "enclave_security_version",
                    "untrusted enclave security version " + f.isvSvn() + " (minimum "
                            + enclaveSecurityVersion.getAsInt() + ")");
        }
        if (allowedFeatures.isPresent()) {
            long extra = f.attributes() & ~allowedFeatures.getAsLong();
            if (extra != 0) return reject("features", "untrusted features 0x" + Long.toHexString(extra));
        }
        if (miscSelect.isPresent()) {
            int extra = f.miscSelect() & ~miscSelect.getAsInt();
            if (extra != 0) return reject("misc_select", "untrusted misc select 0x" + Integer.toHexString(extra));
        }
        var tcbRejection = tcb.check("sgx", status, advisories);
        if (tcbRejection.isPresent()) return tcbRejection.get();
        return new PolicyDecision.Accept(
                f.debug() ? List.of("DEBUG SGX enclave accepted: the host can read its memory") : List.of());
    }

    /** Debug is allowed only explicitly: allow_debug = true, or "Debug" among Enarx's features. */
    boolean debugAllowed() {
        return allowDebug
                || (allowedFeatures.isPresent() && (allowedFeatures.getAsLong() & SgxAttribute.DEBUG.mask()) != 0);
    }

    private static PolicyDecision.Reject reject(String key, String detail) {
        return new PolicyDecision.Reject("sgx." + key, detail);
    }
}
