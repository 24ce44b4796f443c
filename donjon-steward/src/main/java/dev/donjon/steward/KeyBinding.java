package dev.donjon.steward;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Enarx's binding of evidence to the CSR key: REPORT_DATA = hash(DER SubjectPublicKeyInfo) zero-padded to 64 bytes
 * (SHA-384 for SEV-SNP, SHA-256 for SGX). The Steward checks it itself even where a verifier also does: this is the
 * step that makes the certificate's key the attested one.
 */
enum KeyBinding {
    SHA_256("SHA-256"), SHA_384("SHA-384");

    private final String algorithm;

    KeyBinding(String algorithm) { this.algorithm = algorithm; }

    byte[] expectedReportData(byte[] spkiDer) {
        try {
            byte[] out = new byte[64];
            byte[] digest = MessageDigest.getInstance(algorithm).digest(spkiDer);
            System.arraycopy(digest, 0, out, 0, digest.length);
            return out;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is missing from the JDK", e);
        }
    }

    void check(byte[] spkiDer, byte[] reportData) throws Denial {
        if (!MessageDigest.isEqual(expectedReportData(spkiDer), reportData)) {
            throw Denial.noAttestation("binding", "REPORT_DATA is not the " + algorithm + " of the CSR public key: the evidence is for another key");
        }
    }
}
