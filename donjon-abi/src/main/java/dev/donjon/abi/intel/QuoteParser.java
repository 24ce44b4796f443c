package dev.donjon.abi.intel;

import dev.donjon.abi.FormatException;
import java.util.Arrays;

/**
 * Bytes to {@link IntelQuote} (see {@link IntelQuote#parse}). Parses strictly by declared lengths and ignores whatever
 * follows the signature data (real quotes carry zero padding there).
 */
final class QuoteParser {

    private QuoteParser() {}

    static IntelQuote parse(byte[] q) throws FormatException {
        LittleEndianReader r = new LittleEndianReader(q, 0, q.length);
        int version = r.u16("header version");
        int attKeyType = r.u16("header attestation key type");
        long teeType = r.u32("header TEE type");
        int qeSvn = r.u16("header QE SVN");
        int pceSvn = r.u16("header PCE SVN");
        byte[] qeVendorId = r.bytes(16, "header QE vendor id");
        byte[] userData = r.bytes(20, "header user data");
        if (version < 3 || version > 5)
            throw new FormatException("unsupported quote version " + version + " (expected 3, 4 or 5)");
        if (attKeyType != IntelQuote.ATT_KEY_ECDSA_P256) {
            throw new FormatException("unsupported attestation key type " + attKeyType + " (expected 2 = ECDSA P-256)");
        }
        if (version == 3 && teeType != 0) throw new FormatException("quote v3 with non-zero TEE type " + teeType);
        if (teeType != IntelQuote.TEE_TYPE_SGX && teeType != IntelQuote.TEE_TYPE_TDX) {
            throw new FormatException(String.format("unknown TEE type 0x%x", teeType));
        }
        boolean tdx = teeType == IntelQuote.TEE_TYPE_TDX;

        QuoteBody body;
        if (version == 5) {
            int bodyType = r.u16("body type");
            int bodySize = r.length32("body size");
            byte[] raw = r.bytes(bodySize, "body");
            body = switch (bodyType) {
                case IntelQuote.BODY_SGX -> {
                    if (tdx) throw new FormatException("quote v5 body type 1 (SGX) in a TDX quote");
                    yield SgxReportBody.parse(raw);
                }
                case IntelQuote.BODY_TD10, IntelQuote.BODY_TD15 -> {
                    if (!tdx) throw new FormatException("quote v5 TD body in a quote whose TEE type is SGX");
                    int want = bodyType == IntelQuote.BODY_TD10 ? TdReportBody.SIZE_TD10 : TdReportBody.SIZE_TD15;
                    if (bodySize != want)
                        throw new FormatException(
                                "quote v5 body type " + bodyType + " has size " + bodySize + ", expected " + want);
                    yield TdReportBody.parse(raw);
                }
                default -> throw new FormatException("unknown quote v5 body type " + bodyType);
            };
        } else {
            body = tdx
                    ? TdReportBody.parse(r.bytes(TdReportBody.SIZE_TD10, "TD report body"))
                    : SgxReportBody.parse(r.bytes(SgxReportBody.SIZE, "SGX report body"));
        }
        byte[] signedData = Arrays.copyOfRange(q, 0, r.position());

        int sigLen = r.length32("signature data length");
        LittleEndianReader s = new LittleEndianReader(q, r.position(), r.position() + sigLen);
        byte[] signature = s.bytes(64, "quote signature");
        byte[] attestationKey = s.bytes(64, "attestation key");
        LittleEndianReader qe = s;
        if (version >= 4) {
            int type = s.u16("certification data type");
            int size = s.length32("certification data size");
            if (type != IntelQuote.CertificationData.QE_REPORT) {
                throw new FormatException(
                        "quote v" + version + " certification data type " + type + ", expected 6 (QE report)");
            }
            qe = new LittleEndianReader(q, s.position(), s.position() + size);
        }
        byte[] qeReportRaw = qe.bytes(SgxReportBody.SIZE, "QE report");
        SgxReportBody qeReport = SgxReportBody.parse(qeReportRaw);
        byte[] qeReportSignature = qe.bytes(64, "QE report signature");
        int authLen = qe.u16("QE authentication data size");
        byte[] authData = qe.bytes(authLen, "QE authentication data");
        int certType = qe.u16("certification data type");
        int certSize = qe.length32("certification data size");
        byte[] certData = qe.bytes(certSize, "certification data");
        return new IntelQuote(
                version,
                (int) teeType,
                qeSvn,
                pceSvn,
                qeVendorId,
                userData,
                body,
                signedData,
                signature,
                attestationKey,
                qeReport,
                qeReportSignature,
                authData,
                new IntelQuote.CertificationData(certType, certData));
    }
}
