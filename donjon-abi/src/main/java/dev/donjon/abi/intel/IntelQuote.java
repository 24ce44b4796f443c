package dev.donjon.abi.intel;

import dev.donjon.abi.FormatException;
import java.io.ByteArrayOutputStream;

/**
 * An Intel DCAP ECDSA quote (v3, v4 or v5; Intel SGX ECDSA Quote Library Reference, TDX DCAP Quote Generation), both
 * directions: {@link #parse} reads strictly by declared lengths (ignoring whatever follows the signature data: real
 * quotes carry zero padding there), {@link #encode} writes the same layout.
 *
 * @param qeVendorId      the quoting enclave's vendor (Intel's QE: 939a7233-f79c-4ca9-940a-0db3957f0607)
 * @param userData        the header's user data (the first 16 bytes are the QE's platform identifier, the rest zero)
 * @param signedData      header + body exactly as received and signed by the attestation key (v5 includes the body's
 *                        type/size prefix); what a verifier checks, never re-encoded
 * @param signature       raw r||s (P-256) by the attestation key
 * @param attestationKey  raw P-256 public key X||Y
 * @param qeReport        the Quoting Enclave's report, signed by the PCK key
 * @param qeAuthData      hashed with the attestation key into the QE report's REPORT_DATA
 * @param certification   the innermost certification data (type 5 = PEM PCK chain, when present)
 */
public record IntelQuote(
        int version,
        int teeType,
        int qeSvn,
        int pceSvn,
        byte[] qeVendorId,
        byte[] userData,
        QuoteBody body,
        byte[] signedData,
        byte[] signature,
        byte[] attestationKey,
        SgxReportBody qeReport,
        byte[] qeReportSignature,
        byte[] qeAuthData,
        CertificationData certification) {

    public static final int TEE_TYPE_SGX = 0x00;
    public static final int TEE_TYPE_TDX = 0x81;
    /** The only attestation key type DCAP defines: ECDSA P-256. */
    static final int ATT_KEY_ECDSA_P256 = 2;

    static final int HEADER_SIZE = 48;
    /** v5 body types. */
    static final int BODY_SGX = 1, BODY_TD10 = 2, BODY_TD15 = 3;

    public boolean tdx() {
        return teeType == TEE_TYPE_TDX;
    }

    /** Certification data: the type and its bytes (type 5 = PCK certificate chain, type 6 = QE report, v4 on). */
    public record CertificationData(int type, byte[] data) {
        public static final int PCK_CHAIN = 5;
        public static final int QE_REPORT = 6;
    }

    public static IntelQuote parse(byte[] quote) throws FormatException {
        return QuoteParser.parse(quote);
    }

    /** The quote's bytes: header, (v5: body type and size,) body, then the signature data sized to what it holds. */
    public byte[] encode() {
        LittleEndianWriter q = new LittleEndianWriter();
        q.u16(version)
                .u16(ATT_KEY_ECDSA_P256)
                .u32(teeType)
                .u16(qeSvn)
                .u16(pceSvn)
                .bytes(qeVendorId, 16)
                .bytes(userData, 20);
        byte[] bodyBytes = body.encode();
        if (version == 5) {
            int type = body instanceof SgxReportBody
                    ? BODY_SGX
                    : bodyBytes.length == TdReportBody.SIZE_TD10 ? BODY_TD10 : BODY_TD15;
            q.u16(type).u32(bodyBytes.length);
        }
        q.bytes(bodyBytes);
        LittleEndianWriter qe = new LittleEndianWriter();
        qe.bytes(qeReport.encode())
                .bytes(qeReportSignature, 64)
                .u16(qeAuthData.length)
                .bytes(qeAuthData)
                .u16(certification.type())
                .u32(certification.data().length)
                .bytes(certification.data());
        LittleEndianWriter sig = new LittleEndianWriter();
        sig.bytes(signature, 64).bytes(attestationKey, 64);
        if (version >= 4) sig.u16(CertificationData.QE_REPORT).u32(qe.size());
        sig.bytes(qe.toByteArray());
        return q.u32(sig.size()).bytes(sig.toByteArray()).toByteArray();
    }

    /** Little-endian fields into a growing buffer, the writing twin of {@link LittleEndianReader}. */
    static final class LittleEndianWriter {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        LittleEndianWriter u16(int v) {
            out.write(v);
            out.write(v >>> 8);
            return this;
        }

        LittleEndianWriter u32(long v) {
            return u16((int) (v & 0xFFFF)).u16((int) (v >>> 16));
        }

        LittleEndianWriter bytes(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        LittleEndianWriter bytes(byte[] b, int length) {
            if (b.length != length)
                throw new IllegalArgumentException("field is " + length + " bytes, not " + b.length);
            return bytes(b);
        }

        int size() {
            return out.size();
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }
}
