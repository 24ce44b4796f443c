package dev.donjon.abi.intel;

import dev.donjon.abi.FormatException;

/**
 * The 384-byte SGX REPORT body (sgx_report_body_t): the ISV enclave's report in an SGX quote, and the QE's report
 * inside the certification data of every DCAP quote.
 *
 * @param raw the 384 bytes as received: what the PCK key signed for a QE report
 */
public record SgxReportBody(
        byte[] cpuSvn,
        long miscSelect,
        byte[] isvExtProdId,
        byte[] attributes,
        byte[] mrEnclave,
        byte[] mrSigner,
        byte[] configId,
        int isvProdId,
        int isvSvn,
        int configSvn,
        byte[] isvFamilyId,
        byte[] reportData,
        byte[] raw)
        implements QuoteBody {

    public static final int SIZE = 384;

    /** ATTRIBUTES.FLAGS bit 1: the enclave is debuggable. */
    public boolean debug() {
        return (attributes[0] & 0x02) != 0;
    }

    public static SgxReportBody parse(byte[] raw) throws FormatException {
        if (raw.length != SIZE) throw new FormatException("SGX report body is " + raw.length + " bytes, expected 384");
        LittleEndianReader r = new LittleEndianReader(raw, 0, SIZE);
        byte[] cpuSvn = r.bytes(16, "CPUSVN");
        long misc = r.u32("MISCSELECT");
        r.bytes(12, "reserved");
        byte[] extProdId = r.bytes(16, "ISVEXTPRODID");
        byte[] attributes = r.bytes(16, "ATTRIBUTES");
        byte[] mrEnclave = r.bytes(32, "MRENCLAVE");
        r.bytes(32, "reserved");
        byte[] mrSigner = r.bytes(32, "MRSIGNER");
        r.bytes(32, "reserved");
        byte[] configId = r.bytes(64, "CONFIGID");
        int prodId = r.u16("ISVPRODID");
        int svn = r.u16("ISVSVN");
        int configSvn = r.u16("CONFIGSVN");
        r.bytes(42, "reserved");
        byte[] familyId = r.bytes(16, "ISVFAMILYID");
        byte[] reportData = r.bytes(64, "REPORTDATA");
        return new SgxReportBody(
                cpuSvn,
                misc,
                extProdId,
                attributes,
                mrEnclave,
                mrSigner,
                configId,
                prodId,
                svn,
                configSvn,
                familyId,
                reportData,
                raw);
    }

    @Override
    public byte[] encode() {
        return new IntelQuote.LittleEndianWriter()
                .bytes(cpuSvn, 16)
                .u32(miscSelect)
                .bytes(new byte[12])
                .bytes(isvExtProdId, 16)
                .bytes(attributes, 16)
                .bytes(mrEnclave, 32)
                .bytes(new byte[32])
                .bytes(mrSigner, 32)
                .bytes(new byte[32])
                .bytes(configId, 64)
                .u16(isvProdId)
                .u16(isvSvn)
                .u16(configSvn)
                .bytes(new byte[42])
                .bytes(isvFamilyId, 16)
                .bytes(reportData, 64)
                .toByteArray();
    }
}
