package dev.donjon.abi.snp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.donjon.abi.FormatException;
import dev.donjon.abi.Vectors;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CertificateTableTest {

    /** go-sev-guest's configfs-tsm auxblob: ARK, ASK, VCEK; written back in RFC 4122 GUID order, read back the same. */
    @Test
    void aRealTableRoundTrips() throws Exception {
        var tsm = new ObjectMapper().readTree(Vectors.read("snp/go-sev-guest/attestation.tsm.json"));
        byte[] real = Base64.getUrlDecoder().decode(tsm.get("auxblob").asText());
        CertificateTable t = CertificateTable.parse(real);
        assertEquals(
                List.of(CertificateTable.ARK, CertificateTable.ASK, CertificateTable.VCEK),
                t.entries().stream().map(CertificateTable.Entry::guid).toList());
        assertArrayEquals(
                Vectors.read("snp/go-sev-guest/vcek.testcer"),
                t.get(CertificateTable.VCEK).orElseThrow());
        CertificateTable back = CertificateTable.parse(t.encode());
        assertEquals(t.entries().size(), back.entries().size());
        for (int i = 0; i < t.entries().size(); i++) {
            assertEquals(t.entries().get(i).guid(), back.entries().get(i).guid());
            assertArrayEquals(t.entries().get(i).body(), back.entries().get(i).body());
        }
    }

    @Test
    void unknownGuidsAreKeptAndMixedEndianKnownOnesRecognised() throws Exception {
        UUID other = UUID.randomUUID();
        byte[] table = new CertificateTable(List.of(
                        new CertificateTable.Entry(other, new byte[] {1}),
                        new CertificateTable.Entry(CertificateTable.VLEK, new byte[] {2, 3})))
                .encode();
        // the VLEK's GUID in mixed-endian order, as some hosts write it
        byte[] swapped = table.clone();
        int at = 24;
        reverse(swapped, at, 4);
        reverse(swapped, at + 4, 2);
        reverse(swapped, at + 6, 2);
        CertificateTable t = CertificateTable.parse(swapped);
        assertArrayEquals(new byte[] {2, 3}, t.get(CertificateTable.VLEK).orElseThrow());
        assertEquals(3, t.entries().size() + 1);
    }

    @Test
    void malformedTablesAreRefused() {
        assertEquals(
                "SNP certificate table (auxblob) has no terminating entry",
                assertThrows(FormatException.class, () -> CertificateTable.parse(new byte[10]))
                        .getMessage());
    }

    private static void reverse(byte[] a, int from, int length) {
        for (int i = 0; i < length / 2; i++) {
            byte t = a[from + i];
            a[from + i] = a[from + length - 1 - i];
            a[from + length - 1 - i] = t;
        }
    }
}
