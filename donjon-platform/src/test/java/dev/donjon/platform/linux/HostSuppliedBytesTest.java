package dev.donjon.platform.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.platform.PlatformException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The host controls the SNP certificate table (auxblob) and could hand back any outblob: parsing them must end in
 * evidence or in a PlatformException, never in another exception. Random tables and mutations of a real one.
 */
class HostSuppliedBytesTest {

    private static byte[] realTable() throws Exception {
        var tsm = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(ConfidentialVmPlatformsTest.VECTORS
                        .resolve("snp/go-sev-guest/attestation.tsm.json")
                        .toFile());
        return Base64.getUrlDecoder().decode(tsm.get("auxblob").asText());
    }

    @Test
    void realTableYieldsVcekAskArk() throws Exception {
        SnpCertificateTable t = SnpCertificateTable.parse(realTable());
        assertTrue(t.vcek().isPresent());
        assertEquals(2, t.caCerts().size());
    }

    @Test
    void malformedTablesAreRefusedWithAReason() {
        assertThrows(PlatformException.class, () -> SnpCertificateTable.parse(new byte[10]), "no terminating entry");
        byte[] overflow = new byte[48];
        overflow[0] = 1; // a non-zero GUID
        ByteBuffer.wrap(overflow)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(16, 0xFFFFFFF0)
                .putInt(20, 0x20);
        PlatformException e = assertThrows(PlatformException.class, () -> SnpCertificateTable.parse(overflow));
        assertEquals("SNP certificate table entry 0 points outside the table", e.getMessage());
    }

    @Test
    void randomAndMutatedTablesNeverEscapeAsOtherExceptions() throws Exception {
        Random random = new Random(4242);
        byte[] real = realTable();
        int parsed = 0, refused = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] t;
            if (i % 2 == 0) {
                t = new byte[random.nextInt(200)];
                random.nextBytes(t);
            } else {
                t = real.clone();
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--)
                    t[random.nextInt(Math.min(t.length, 96))] = (byte) random.nextInt(256);
            }
            try {
                SnpCertificateTable.parse(t);
                parsed++;
            } catch (PlatformException expected) {
                refused++;
            }
        }
        assertTrue(parsed > 0 && refused > 0, parsed + " parsed, " + refused + " refused");
    }

    @Test
    void outblobsOfAnySizeOrVersionAreCheckedNotTrusted() {
        Random random = new Random(7);
        byte[] expected = new byte[64];
        for (int i = 0; i < 5_000; i++) {
            byte[] blob = new byte[random.nextInt(6000)];
            random.nextBytes(blob);
            if (i % 3 == 0 && blob.length > 2) {
                blob[0] = (byte) (3 + random.nextInt(3));
                blob[1] = 0;
            }
            assertThrows(PlatformException.class, () -> ReportDataEcho.intel(blob, expected, random.nextBoolean()));
            byte[] report = new byte[random.nextBoolean() ? 0x4A0 : random.nextInt(0x600)];
            random.nextBytes(report);
            assertThrows(PlatformException.class, () -> ReportDataEcho.snp(report, expected));
        }
    }
}
