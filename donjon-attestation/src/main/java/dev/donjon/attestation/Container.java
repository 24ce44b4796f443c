package dev.donjon.attestation;

/** How the evidence bytes are packaged (the manifest's "container"). */
public enum Container {
    /** A raw 1184-byte SEV-SNP ATTESTATION_REPORT. */
    SNP_REPORT("snp-report"),
    /** An Intel DCAP ECDSA quote, v3/v4/v5 (SGX or TDX). */
    INTEL_QUOTE("intel-quote"),
    /** Linux configfs-tsm JSON: outblob (report) + auxblob (GHCB certificate table). */
    TSM_JSON("tsm-json"),
    /** A DER PKCS#10 CSR from an Enarx (or Donjon) Keep with the evidence in an extension. */
    ENARX_CSR("enarx-csr");

    private final String wireName;

    Container(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Container fromWireName(String name) {
        for (Container c : values()) if (c.wireName.equals(name)) return c;
        throw new IllegalArgumentException("unknown evidence container '" + name + "'");
    }
}
