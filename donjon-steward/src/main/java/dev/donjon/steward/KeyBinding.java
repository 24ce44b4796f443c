package dev.donjon.steward;

import dev.donjon.abi.ReportData;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Enarx's binding of evidence to the CSR key: REPORT_DATA = hash(DER SubjectPublicKeyInfo) zero-padded to 64 bytes
 * (SHA-384 for SEV-SNP, SHA-256 for SGX); with a Steward nonce, the padding binds the nonce instead
 * ({@link ReportData#ofPublicKey(String, byte[], Optional)}, the one definition the Keep uses too). The Steward checks
 * it itself even where a verifier also does: this is the step that makes the certificate's key the attested one.
 */
enum KeyBinding {
    SHA_256("SHA-256"),
    SHA_384("SHA-384");

    private final String algorithm;

    KeyBinding(String algorithm) {
        this.algorithm = algorithm;
    }

    byte[] expectedReportData(byte[] spkiDer) {
        return expectedReportData(spkiDer, Optional.empty());
    }

    byte[] expectedReportData(byte[] spkiDer, Optional<byte[]> nonce) {
        return ReportData.ofPublicKey(algorithm, spkiDer, nonce);
    }

    void check(byte[] spkiDer, Optional<byte[]> nonce, byte[] reportData) throws Denial {
        if (!MessageDigest.isEqual(expectedReportData(spkiDer, nonce), reportData)) {
            throw Denial.noAttestation(
                    "binding",
                    nonce.isPresent()
                            ? "REPORT_DATA does not bind the CSR public key and the CSR's nonce: the evidence is for another key or nonce"
                            : "REPORT_DATA is not the " + algorithm
                                    + " of the CSR public key: the evidence is for another key");
        }
    }
}
