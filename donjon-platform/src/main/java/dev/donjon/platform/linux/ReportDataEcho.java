package dev.donjon.platform.linux;

import dev.donjon.abi.FormatException;
import dev.donjon.abi.intel.IntelQuote;
import dev.donjon.abi.snp.AttestationReport;
import dev.donjon.platform.PlatformException;
import java.security.MessageDigest;

/**
 * Where each evidence format carries the report data, so that a backend can check the TEE answered the request it
 * made (and not a concurrent one) before the evidence leaves the Keep. Verifiers check it again; this is not security,
 * it is failing early with a clear message.
 */
final class ReportDataEcho {

    private ReportDataEcho() {}

    /** SEV-SNP ATTESTATION_REPORT, read by donjon-abi. */
    static void snp(byte[] report, byte[] expected) throws PlatformException {
        try {
            check("SEV-SNP report", AttestationReport.parse(report).reportData(), expected);
        } catch (FormatException e) {
            throw new PlatformException(e);
        }
    }

    /** Intel DCAP quotes (v3 from SGX, v4/v5 from TDX), read by donjon-abi. */
    static void intel(byte[] quote, byte[] expected, boolean tdx) throws PlatformException {
        IntelQuote q;
        try {
            q = IntelQuote.parse(quote);
        } catch (FormatException e) {
            throw new PlatformException(e);
        }
        if (tdx != q.tdx())
            throw new PlatformException(
                    "the quote (version " + q.version() + ") is not " + (tdx ? "a TDX" : "an SGX") + " quote");
        check("quote", q.body().reportData(), expected);
    }

    private static void check(String what, byte[] actual, byte[] expected) throws PlatformException {
        if (!MessageDigest.isEqual(actual, expected)) {
            throw new PlatformException(
                    what + " carries other report data than requested (concurrent request, or a faulty TEE interface)");
        }
    }
}
