package dev.donjon.attestation.policy;

import dev.donjon.attestation.Claims;
import dev.donjon.attestation.intel.SgxClaims;
import dev.donjon.attestation.intel.TdxClaims;
import dev.donjon.attestation.snp.SnpClaims;
import java.util.HexFormat;

/** Extracts {@link PolicyFacts} from a verifier's typed claims. */
public final class ClaimFacts {

    private static final HexFormat HEX = HexFormat.of();

    private ClaimFacts() {}

    public static PolicyFacts of(Claims claims) {
        return switch (claims) {
            case SnpClaims c -> snp(c);
            case SgxClaims c ->
                new PolicyFacts.Sgx(
                        HEX.formatHex(c.mrEnclave()),
                        HEX.formatHex(c.mrSigner()),
                        c.isvProdId(),
                        c.isvSvn(),
                        littleEndian64(c.attributes()),
                        (int) c.miscSelect());
            case TdxClaims c ->
                new PolicyFacts.Tdx(
                        HEX.formatHex(c.mrTd()),
                        HEX.formatHex(c.mrOwner()),
                        HEX.formatHex(c.teeTcbSvn()),
                        littleEndian64(c.tdAttributes()));
            default ->
                throw new UnsupportedOperationException(
                        "policy evaluation of " + claims.tee().wireName() + " claims is not supported yet ("
                                + claims.getClass().getSimpleName() + ")");
        };
    }

    private static PolicyFacts.Snp snp(SnpClaims c) {
        var t = c.reportedTcb();
        // AUTHOR_KEY_EN is not among the claims; firmware zeroes AUTHOR_KEY_DIGEST when it is clear
        boolean authorKey = !allZero(c.authorKeyDigest());
        return new PolicyFacts.Snp(
                HEX.formatHex(c.measurement()),
                HEX.formatHex(c.hostData()),
                HEX.formatHex(c.idKeyDigest()),
                HEX.formatHex(c.authorKeyDigest()),
                authorKey,
                c.policy(),
                c.platformInfo(),
                c.vmpl(),
                new PolicyFacts.SnpTcb(t.bootloader(), t.tee(), t.snp(), t.microcode(), t.fmc()));
    }

    /** The first 8 bytes as a little-endian flags word (SGX ATTRIBUTES.FLAGS, TDX TD_ATTRIBUTES). */
    private static long littleEndian64(byte[] bytes) {
        long v = 0;
        for (int i = Math.min(8, bytes.length) - 1; i >= 0; i--) v = (v << 8) | (bytes[i] & 0xFF);
        return v;
    }

    private static boolean allZero(byte[] bytes) {
        for (byte b : bytes) if (b != 0) return false;
        return true;
    }
}
