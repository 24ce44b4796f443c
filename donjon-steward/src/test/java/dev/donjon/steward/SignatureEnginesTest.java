package dev.donjon.steward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.abi.csr.ClaimsExtension;
import dev.donjon.attestation.crypto.SignatureProviders;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import org.bouncycastle.asn1.x509.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Steward's verdicts and certificates are the same whichever engine checks and makes its signatures. */
class SignatureEnginesTest {

    @AfterEach
    void backToJava() {
        SignatureProviders.useJava();
    }

    private static void use(String engine) {
        if (engine.equals("native")) assertEquals(Optional.empty(), SignatureProviders.useNative());
        else SignatureProviders.useJava();
    }

    @ParameterizedTest
    @ValueSource(strings = {"java", "native"})
    void realKeepCsrsAreIssuedAndTheirFlipsRefused(String engine) throws Exception {
        use(engine);
        Steward snp = TestCsrs.steward(TestCsrs.stewardToml(), TestCsrs.SNP_NOW);
        for (int round = 0; round < 2; round++) { // the second round answers from the memoized chain
            var issued = assertInstanceOf(Enrollment.Issued.class, snp.enroll(TestCsrs.snpCsr()));
            X509Certificate cert = issued.certificate();
            cert.verify(snp.ca().certificate().getPublicKey()); // by the JDK, whoever signed
            assertArrayEquals(
                    snp.ca().certificate().getEncoded(),
                    issued.chain().getFirst().getEncoded());
            assertEquals("snp", ClaimsExtension.from(cert).orElseThrow().tee());
            // a flipped bit in the report's signature (a vector of the Enarx steward tests)
            Enrollment flipped = snp.enroll(TestCsrs.vector("milan.signed.crl-flip3554.csr"));
            assertTrue(!(flipped instanceof Enrollment.Issued), flipped.label());
        }
        Steward sgx = TestCsrs.steward(TestCsrs.stewardToml(), TestCsrs.SGX_NOW);
        var issued = assertInstanceOf(Enrollment.Issued.class, sgx.enroll(TestCsrs.sgxCsr()));
        issued.certificate().verify(sgx.ca().certificate().getPublicKey());
        Enrollment flipped = sgx.enroll(TestCsrs.vector("icelake.signed.tcb.crl.single.i5-flip271.csr"));
        assertTrue(!(flipped instanceof Enrollment.Issued), flipped.label());
    }

    @Test
    void x509TimeIsWhatBouncyCastleWouldEncode() throws Exception {
        for (String t : new String[] {
            "2023-01-15T00:00:00.123Z",
            "1950-01-01T00:00:00Z",
            "1949-12-31T23:59:59Z",
            "2049-12-31T23:59:59.999Z",
            "2050-01-01T00:00:00Z",
            "2126-11-23T12:34:56Z"
        }) {
            Instant instant = Instant.parse(t);
            assertArrayEquals(
                    new Time(Date.from(instant)).getEncoded("DER"),
                    CertificateAuthority.x509Time(instant).getEncoded("DER"),
                    t);
        }
    }
}
