package dev.donjon.platform.linux;

import dev.donjon.abi.FormatException;
import dev.donjon.abi.snp.AttestationReport;
import dev.donjon.platform.PlatformException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.Arrays;

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

    /**
     * Intel DCAP quotes: 48-byte header, then the body. v3 (SGX): REPORTDATA at 48 + 320. v4 (TDX): at 48 + 520.
     * v5: a body descriptor (type u16: 1 SGX, 2 TDX 1.0, 3 TDX 1.5; size u32) precedes the body.
     */
    static void intel(byte[] quote, byte[] expected, boolean tdx) throws PlatformException {
        if (quote.length < 54) throw new PlatformException("quote is only " + quote.length + " bytes");
        ByteBuffer b = ByteBuffer.wrap(quote).order(ByteOrder.LITTLE_ENDIAN);
        int version = b.getShort(0) & 0xFFFF;
        boolean isTdx;
        int at;
        switch (version) {
            case 3 -> { isTdx = false; at = 48 + 320; }
            case 4 -> { isTdx = true; at = 48 + 520; }
            case 5 -> {
                int type = b.getShort(48) & 0xFFFF;
                if (type < 1 || type > 3) throw new PlatformException("unknown quote v5 body type " + type);
                isTdx = type != 1;
                at = 48 + 6 + (isTdx ? 520 : 320);
            }
            default -> throw new PlatformException("unsupported quote version " + version);
        }
        if (tdx != isTdx) throw new PlatformException("the quote (version " + version + ") is not " + (tdx ? "a TDX" : "an SGX") + " quote");
        if (quote.length < at + 64) throw new PlatformException("quote is too short for its version (" + quote.length + " bytes)");
        check("quote", Arrays.copyOfRange(quote, at, at + 64), expected);
    }

    private static void check(String what, byte[] actual, byte[] expected) throws PlatformException {
        if (!MessageDigest.isEqual(actual, expected)) {
            throw new PlatformException(what + " carries other report data than requested (concurrent request, or a faulty TEE interface)");
        }
    }
}
