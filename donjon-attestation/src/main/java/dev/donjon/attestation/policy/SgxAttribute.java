package dev.donjon.attestation.policy;

import java.util.Locale;

/** SGX ATTRIBUTES flag bits (Intel SDM, SECS.ATTRIBUTES), under the names Enarx's steward.toml "features" uses. */
public enum SgxAttribute {
    INIT(0),
    DEBUG(1),
    MODE64BIT(2),
    PROVISIONING_KEY(4),
    EINIT_KEY(5),
    CET(6),
    KSS(7);

    private final int bit;

    SgxAttribute(int bit) {
        this.bit = bit;
    }

    public long mask() {
        return 1L << bit;
    }

    public static SgxAttribute fromTomlName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "debug" -> DEBUG;
            case "provisioningkey" -> PROVISIONING_KEY;
            case "einitkey" -> EINIT_KEY;
            case "cet" -> CET;
            case "kss" -> KSS;
            default ->
                throw new IllegalArgumentException(
                        "unknown SGX feature '" + name + "' (expected CET, Debug, EInitKey, KSS or ProvisioningKey)");
        };
    }
}
