package dev.donjon.attestation.intel;

import dev.donjon.attestation.Tee;

/**
 * A parsed DCAP ECDSA quote (v3, v4 or v5).
 *
 * @param signedData      header + body exactly as signed by the attestation key (v5 includes the body's type/size prefix)
 * @param signature       raw r||s (P-256) by the attestation key
 * @param attestationKey  raw P-256 public key X||Y
 * @param qeReport        the Quoting Enclave's report, signed by the PCK key
 * @param qeReportRaw     its 384 bytes, as signed
 * @param qeAuthData      hashed with the attestation key into the QE report's REPORT_DATA
 * @param certification   the innermost certification data (type 5 = PEM PCK chain, when present)
 */
record IntelQuote(int version, int teeType, int qeSvn, int pceSvn, QuoteBody body, byte[] signedData,
                  byte[] signature, byte[] attestationKey, SgxReportBody qeReport, byte[] qeReportSignature,
                  byte[] qeAuthData, CertificationData certification) {

    static final int TEE_TYPE_SGX = 0x00;
    static final int TEE_TYPE_TDX = 0x81;

    Tee tee() { return teeType == TEE_TYPE_TDX ? Tee.TDX : Tee.SGX; }

    /** Certification data: the type and its bytes (type 5 = PCK certificate chain). */
    record CertificationData(int type, byte[] data) {
        static final int PCK_CHAIN = 5;
        static final int QE_REPORT = 6;
    }
}
