package dev.donjon.platform;

import java.util.Locale;
import java.util.Optional;

/**
 * The kinds of Keep a machine can host. The order of {@link #HARDWARE_PREFERENCE} is Enarx's auto-selection order.
 * A Keep's identity key and report-data hash follow the TEE: SEV-SNP signs with P-384 and binds SHA-384, so SNP and
 * its software imitation {@code sim} use P-384/SHA-384; every other kind uses P-256/SHA-256 (as Enarx).
 */
public enum Backend {
    NIL("nil", false, "secp256r1", "SHA-256"),
    SIM("sim", false, "secp384r1", "SHA-384"),
    SNP("snp", true, "secp384r1", "SHA-384"),
    TDX("tdx", true, "secp256r1", "SHA-256"),
    SGX("sgx", true, "secp256r1", "SHA-256");

    /** Auto-selection tries these in order and takes the first usable one. */
    public static final java.util.List<Backend> HARDWARE_PREFERENCE = java.util.List.of(SGX, SNP, TDX);

    private final String wireName;
    private final boolean hardware;
    private final String curve;
    private final String reportDataHash;

    Backend(String wireName, boolean hardware, String curve, String reportDataHash) {
        this.wireName = wireName;
        this.hardware = hardware;
        this.curve = curve;
        this.reportDataHash = reportDataHash;
    }

    /** The name used on the command line, in {@code ENARX_BACKEND} and in JSON. */
    public String wireName() {
        return wireName;
    }

    /** True for a real TEE whose evidence a verifier can chain to a hardware vendor. */
    public boolean hardware() {
        return hardware;
    }

    /** The JCA name of the curve of the Keep's identity key. */
    public String curve() {
        return curve;
    }

    /** The JCA digest that binds a public key into the 64-byte report data. */
    public String reportDataHash() {
        return reportDataHash;
    }

    public static Optional<Backend> fromWireName(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        for (Backend b : values()) if (b.wireName.equals(n)) return Optional.of(b);
        return Optional.empty();
    }

    /**
     * Enarx's names, accepted where Donjon's are ({@code --backend}, {@code ENARX_BACKEND}): {@code sev} is snp;
     * {@code kvm}, a Keep in a plain KVM virtual machine (no TEE), is nil. Callers say which Donjon backend they map to.
     */
    public static Optional<Backend> fromEnarxName(String name) {
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "sev" -> Optional.of(SNP);
            case "kvm" -> Optional.of(NIL);
            default -> Optional.empty();
        };
    }

    /** A backend by Donjon's name, or else by Enarx's ({@link #fromEnarxName}). */
    public static Optional<Backend> named(String name) {
        return fromWireName(name).or(() -> fromEnarxName(name));
    }

    @Override
    public String toString() {
        return wireName;
    }
}
