package dev.donjon.attestation.policy;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The [snp] section. Enarx keys: {@code signer} (author key digests), {@code hash} / {@code hash_blacklist}
 * (launch measurements), {@code id_key_digest} / {@code id_key_digest_blacklist}, {@code abi} (requirement on the guest
 * policy's ABI major.minor), {@code policy_flags} (guest policy flags the guest may have set), {@code platform_info_flags}.
 * Donjon keys: {@code min_tcb} (minimum REPORTED_TCB components), {@code vmpl}, {@code allow_debug},
 * {@code allow_migration_agent}. Digests are lower-case hex (48 bytes).
 *
 * @param allowedPolicyFlags mask of {@link SnpGuestPolicy} bits that may be set; empty = not checked
 * @param platformInfoFlags  required PLATFORM_INFO bits 0-1 (Enarx "SME" = bit 0, "TSME" = bit 1); empty = not checked
 */
public record SnpRules(
        Set<String> signer,
        Set<String> hash,
        Set<String> hashBlacklist,
        Set<String> idKeyDigest,
        Set<String> idKeyDigestBlacklist,
        Optional<VersionRequirement> abi,
        OptionalLong allowedPolicyFlags,
        OptionalLong platformInfoFlags,
        Optional<PolicyFacts.SnpTcb> minTcb,
        OptionalInt vmpl,
        boolean allowDebug,
        boolean allowMigrationAgent) {

    public SnpRules {
        signer = Set.copyOf(signer);
        hash = Set.copyOf(hash);
        hashBlacklist = Set.copyOf(hashBlacklist);
        idKeyDigest = Set.copyOf(idKeyDigest);
        idKeyDigestBlacklist = Set.copyOf(idKeyDigestBlacklist);
    }

    PolicyDecision evaluate(PolicyFacts.Snp f) {
        if ((f.guestPolicy() & SnpGuestPolicy.RESERVED.mask()) == 0) {
            return reject("policy_flags", "guest policy bit 17 (reserved, must be one) is clear");
        }
        if (f.debug() && !debugAllowed()) {
            return reject(
                    "allow_debug", "the guest policy allows debugging and the policy does not allow debug guests");
        }
        if ((f.guestPolicy() & SnpGuestPolicy.MIGRATE_MA.mask()) != 0 && !allowMigrationAgent) {
            return reject("allow_migration_agent", "the guest policy allows a migration agent");
        }
        if (allowedPolicyFlags.isPresent()) {
            for (SnpGuestPolicy flag : List.of(SnpGuestPolicy.SMT, SnpGuestPolicy.SINGLE_SOCKET)) {
                if ((f.guestPolicy() & flag.mask()) != 0 && (allowedPolicyFlags.getAsLong() & flag.mask()) == 0) {
                    return reject("policy_flags", "guest policy flag " + flag + " is set and not allowed");
                }
            }
        }
        var abiVersion = new VersionRequirement.Version(f.abiMajor(), f.abiMinor(), 0);
        if (abi.isPresent() && !abi.get().matches(abiVersion)) {
            return reject(
                    "abi",
                    "guest policy ABI " + f.abiMajor() + "." + f.abiMinor() + " does not meet \""
                            + abi.get().text() + "\"");
        }
        if (!signer.isEmpty()) {
            if (!f.authorKeyEnabled()) return reject("signer", "the report carries no author key digest");
            if (!signer.contains(f.authorKeyDigest()))
                return reject("signer", "untrusted author key digest " + f.authorKeyDigest());
        }
        if (!idKeyDigest.isEmpty() && !idKeyDigest.contains(f.idKeyDigest())) {
            return reject("id_key_digest", "untrusted id key digest " + f.idKeyDigest());
        }
        if (idKeyDigestBlacklist.contains(f.idKeyDigest())) {
            return reject("id_key_digest_blacklist", "id key digest " + f.idKeyDigest() + " is denied");
        }
        if (!hash.isEmpty() && !hash.contains(f.measurement())) {
            return reject("hash", "untrusted measurement " + f.measurement());
        }
        if (hashBlacklist.contains(f.measurement())) {
            return reject("hash_blacklist", "measurement " + f.measurement() + " is denied");
        }
        if (platformInfoFlags.isPresent() && (f.platformInfo() & 0b11) != platformInfoFlags.getAsLong()) {
            return reject(
                    "platform_info_flags",
                    "platform info flags are " + (f.platformInfo() & 0b11) + ", expected "
                            + platformInfoFlags.getAsLong());
        }
        if (vmpl.isPresent() && f.vmpl() != vmpl.getAsInt()) {
            return reject("vmpl", "report is for VMPL " + f.vmpl() + ", expected " + vmpl.getAsInt());
        }
        if (minTcb.isPresent()) {
            PolicyFacts.SnpTcb min = minTcb.get(), got = f.reportedTcb();
            if (got.bootloader() < min.bootloader()
                    || got.tee() < min.tee()
                    || got.snp() < min.snp()
                    || got.microcode() < min.microcode()
                    || got.fmc() < min.fmc()) {
                return reject("min_tcb", "reported TCB " + got + " is below the minimum " + min);
            }
        }
        return new PolicyDecision.Accept(
                f.debug() ? List.of("DEBUG SNP guest accepted: the host can read its memory") : List.of());
    }

    /** Debug is allowed only explicitly: allow_debug = true, or "Debug" among Enarx's policy_flags. */
    boolean debugAllowed() {
        return allowDebug
                || (allowedPolicyFlags.isPresent()
                        && (allowedPolicyFlags.getAsLong() & SnpGuestPolicy.DEBUG.mask()) != 0);
    }

    private static PolicyDecision.Reject reject(String key, String detail) {
        return new PolicyDecision.Reject("snp." + key, detail);
    }
}
