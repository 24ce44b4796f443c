package dev.donjon.attestation.policy;

import java.util.Locale;

/** Flag bits of the SEV-SNP guest POLICY (AMD SEV-SNP ABI, "Guest Policy"), under the names Enarx's steward.toml uses. */
public enum SnpGuestPolicy {
    SMT(16),
    RESERVED(17),
    MIGRATE_MA(18),
    DEBUG(19),
    SINGLE_SOCKET(20);

    private final int bit;

    SnpGuestPolicy(int bit) {
        this.bit = bit;
    }

    public long mask() {
        return 1L << bit;
    }

    /** Enarx names: "SMT", "Debug", "SingleSocket" (also "MigrateMA"). */
    public static SnpGuestPolicy fromTomlName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "smt" -> SMT;
            case "debug" -> DEBUG;
            case "singlesocket" -> SINGLE_SOCKET;
            case "migratema" -> MIGRATE_MA;
            default ->
                throw new IllegalArgumentException(
                        "unknown SNP policy flag '" + name + "' (expected SMT, Debug, SingleSocket or MigrateMA)");
        };
    }
}
