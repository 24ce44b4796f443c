package dev.donjon.attestation.intel;

import dev.donjon.attestation.MalformedEvidenceException;

/**
 * The 384-byte SGX REPORT body (sgx_report_body_t): the ISV enclave's report in an SGX quote, and the QE's report
 * inside the certification data of every DCAP quote.
 */
record SgxReportBody(byte[] cpuSvn, long miscSelect, byte[] attributes, byte[] mrEnclave, byte[] mrSigner,
                     int isvProdId, int isvSvn, byte[] reportData, byte[] raw) implements QuoteBody {

    static final int SIZE = 384;

    /** ATTRIBUTES.FLAGS bit 1: the enclave is debuggable. */
    public boolean debug() { return (attributes[0] & 0x02) != 0; }

    static SgxReportBody parse(byte[] raw) throws MalformedEvidenceException {
        if (raw.length != SIZE) throw new MalformedEvidenceException("SGX report body is " + raw.length + " bytes, expected 384");
        LittleEndianReader r = new LittleEndianReader(raw, 0, SIZE);
        byte[] cpuSvn = r.bytes(16, "CPUSVN");
        long misc = r.u32("MISCSELECT");
        r.bytes(28, "reserved");
        byte[] attributes = r.bytes(16, "ATTRIBUTES");
        byte[] mrEnclave = r.bytes(32, "MRENCLAVE");
        r.bytes(32, "reserved");
        byte[] mrSigner = r.bytes(32, "MRSIGNER");
        r.bytes(96, "reserved");
        int prodId = r.u16("ISVPRODID");
        int svn = r.u16("ISVSVN");
        r.bytes(60, "reserved");
        byte[] reportData = r.bytes(64, "REPORTDATA");
        return new SgxReportBody(cpuSvn, misc, attributes, mrEnclave, mrSigner, prodId, svn, reportData, raw);
    }
}
