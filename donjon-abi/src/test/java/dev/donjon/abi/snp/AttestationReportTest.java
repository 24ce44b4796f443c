package dev.donjon.abi.snp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.abi.FormatException;
import dev.donjon.abi.Vectors;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Both directions of the SEV-SNP ATTESTATION_REPORT: real reports re-encode to their own bytes; built ones parse back. */
class AttestationReportTest {

    /** Reports of real AMD chips from three projects' test data (../shared/vectors): every field read is written back. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "snp/go-sev-guest/attestation.bin",
                "snp/trustee/test-report.bin",
                "snp/trustee/test-vlek-report.bin",
                "snp/virtee/report_milan.hex"
            })
    void realReportsReencodeToTheirOwnBytes(String vector) throws FormatException {
        byte[] bytes = vector.endsWith(".hex") ? Vectors.hex(vector) : Vectors.read(vector);
        AttestationReport report = AttestationReport.parse(bytes);
        assertArrayEquals(bytes, report.encode(), vector);
        assertArrayEquals(Arrays.copyOf(bytes, AttestationReport.SIGNED_LENGTH), report.signedBytes());
    }

    @Test
    void builtReportsParseBackFieldForField() throws FormatException {
        byte[] chip = filled(64, 7), data = filled(64, 9), measurement = filled(48, 11), rs = filled(96, 1);
        TcbVersion tcb = TcbVersion.of(ProductLine.TURIN, 1, 9, 0, 23, 72);
        byte[] bytes = AttestationReport.builder()
                .version(5)
                .guestSvn(3)
                .policy(0x30000L)
                .vmpl(1)
                .platformInfo(1)
                .signingKey(SigningKey.VLEK)
                .maskChipKey(true)
                .reportData(data)
                .measurement(measurement)
                .chipId(chip)
                .cpuid(new AttestationReport.Cpuid(0x1A, 0x02, 1))
                .tcb(tcb.raw())
                .firmware(1, 55, 21)
                .mitigationVectors(5, 7)
                .sign(signed -> {
                    assertEquals(AttestationReport.SIGNED_LENGTH, signed.length);
                    return rs;
                });
        AttestationReport r = AttestationReport.parse(bytes);
        assertEquals(5, r.version());
        assertEquals(3, r.guestSvn());
        assertEquals(0x30000L, r.policy());
        assertEquals(1, r.vmpl());
        assertEquals(1, r.platformInfo());
        assertEquals(SigningKey.VLEK, r.signingKey());
        assertTrue(r.maskChipKey());
        assertArrayEquals(data, r.reportData());
        assertArrayEquals(measurement, r.measurement());
        assertArrayEquals(chip, r.chipId());
        assertEquals(Optional.of(new AttestationReport.Cpuid(0x1A, 0x02, 1)), r.cpuid());
        assertEquals(tcb, TcbVersion.decode(r.reportedTcb(), ProductLine.TURIN));
        assertEquals(tcb.raw(), r.launchTcb());
        assertEquals(55, r.currentMinor());
        assertEquals(21, r.committedBuild());
        assertEquals(5, r.launchMitVector());
        assertEquals(7, r.currentMitVector());
        assertEquals(new BigInteger(1, Arrays.copyOf(rs, 48)), r.signatureR());
        assertEquals(new BigInteger(1, Arrays.copyOfRange(rs, 48, 96)), r.signatureS());
        assertArrayEquals(bytes, r.encode());
    }

    @Test
    void malformedReportsAreRefusedWithOneLine() {
        byte[] good = AttestationReport.builder().unsigned().encode();
        assertEquals(
                "SEV-SNP report must be 1184 bytes, got 3",
                assertThrows(FormatException.class, () -> AttestationReport.parse(new byte[3]))
                        .getMessage());
        byte[] v9 = good.clone();
        v9[0] = 9;
        assertEquals(
                "unsupported SEV-SNP report version 9 (supported: 2 to 5)",
                assertThrows(FormatException.class, () -> AttestationReport.parse(v9))
                        .getMessage());
        byte[] unsigned = good.clone();
        unsigned[0x48] = 7 << 2;
        assertEquals(
                "SEV-SNP report is not signed (KEY_INFO signing key 7)",
                assertThrows(FormatException.class, () -> AttestationReport.parse(unsigned))
                        .getMessage());
    }

    @Test
    void tcbVersionsRoundTripInEachLayout() {
        for (ProductLine p : ProductLine.values()) {
            TcbVersion t = TcbVersion.of(p, p == ProductLine.TURIN ? 1 : 0, 9, 2, 23, 72);
            assertEquals(t, TcbVersion.decode(t.raw(), p), p.name());
        }
        assertEquals(
                0x4800000000000209L,
                TcbVersion.of(ProductLine.MILAN, 0, 9, 2, 0, 0x48).raw());
    }

    private static byte[] filled(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) b[i] = (byte) (seed + i);
        return b;
    }
}
