package dev.donjon.attestation;

/** The hardware TEE families Donjon verifies evidence from. */
public enum Tee {
    SNP("snp"),
    SGX("sgx"),
    TDX("tdx");

    private final String wireName;

    Tee(String wireName) {
        this.wireName = wireName;
    }

    /** The lower-case name used on the command line, in manifests and in JSON output. */
    public String wireName() {
        return wireName;
    }

    public static Tee fromWireName(String name) {
        for (Tee t : values()) if (t.wireName.equalsIgnoreCase(name)) return t;
        throw new IllegalArgumentException("unknown TEE '" + name + "' (expected snp, sgx or tdx)");
    }
}
