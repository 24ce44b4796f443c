package dev.donjon.steward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;

class KeyBindingTest {

    @Test
    void reproducesTheReportDataOfTheRealKeeps() throws Exception {
        // report_data values from ../shared/vectors/cases.json (snp-steward-milan-csr, sgx-steward-i5-csr)
        byte[] snpKey = new PKCS10CertificationRequest(TestCsrs.snpCsr())
                .getSubjectPublicKeyInfo()
                .getEncoded("DER");
        assertEquals(
                "e74229bb545adffc0288a21350353014c874ef4ab1120c53e5dafc9971996326e091ec36abbb534ae1d0728fa114e7c6"
                        + "00".repeat(16),
                HexFormat.of().formatHex(KeyBinding.SHA_384.expectedReportData(snpKey)));
        byte[] sgxKey = new PKCS10CertificationRequest(TestCsrs.sgxCsr())
                .getSubjectPublicKeyInfo()
                .getEncoded("DER");
        assertEquals(
                "b0979cd0023025464c65feab9b3102f8ac7336102198d52285117631149e5d16" + "00".repeat(32),
                HexFormat.of().formatHex(KeyBinding.SHA_256.expectedReportData(sgxKey)));
    }

    @Test
    void anyOtherReportDataIsABindingDenial() throws Exception {
        byte[] key = new PKCS10CertificationRequest(TestCsrs.snpCsr())
                .getSubjectPublicKeyInfo()
                .getEncoded("DER");
        byte[] reportData = KeyBinding.SHA_384.expectedReportData(key);
        KeyBinding.SHA_384.check(key, java.util.Optional.empty(), reportData);
        reportData[63] = 1; // the padding must be zero too
        Denial d =
                assertThrows(Denial.class, () -> KeyBinding.SHA_384.check(key, java.util.Optional.empty(), reportData));
        assertEquals(
                "binding",
                assertInstanceOf(Enrollment.NoAttestation.class, d.verdict()).cause());
    }
}
