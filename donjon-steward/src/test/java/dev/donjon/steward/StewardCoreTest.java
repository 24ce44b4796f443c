package dev.donjon.steward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.abi.csr.ClaimsExtension;
import dev.donjon.abi.csr.EvidenceOids;
import dev.donjon.abi.csr.WorkloadIdentity;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;

class StewardCoreTest {

    static final String SNP_MEASUREMENT =
            "ff717ae719840c93c1fca3b7db96488454c3c21b43531488eecff51cfed3febcd91da8be87a4cbcbc52a3bae770987c3";
    static final String SGX_MRENCLAVE = "4046ea255f0455131a024e1265ac1ebd131fdbd1240f1712a00381f6f04e8c15";

    @Test
    void realSnpKeepCsrIsIssuedUnderStewardToml() throws Exception {
        Steward steward = TestCsrs.steward(TestCsrs.stewardToml(), TestCsrs.SNP_NOW);
        var issued = assertInstanceOf(Enrollment.Issued.class, steward.enroll(TestCsrs.snpCsr()));
        assertEquals(2, issued.chain().size());
        assertEquals(steward.ca().certificate(), issued.chain().getFirst());
        X509Certificate cert = issued.certificate();
        cert.verify(steward.ca().certificate().getPublicKey());
        byte[] csrKey = new PKCS10CertificationRequest(TestCsrs.snpCsr())
                .getSubjectPublicKeyInfo()
                .getEncoded();
        assertArrayEquals(csrKey, cert.getPublicKey().getEncoded());
        ClaimsExtension claims = ClaimsExtension.from(cert).orElseThrow();
        assertEquals("snp", claims.tee());
        assertEquals(SNP_MEASUREMENT, claims.measurementHex());
        assertFalse(claims.debug());
        assertEquals(Optional.empty(), claims.tcbStatus());
        assertEquals(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"), cert.getExtendedKeyUsage());
        assertEquals(TestCsrs.SNP_NOW, cert.getNotBefore().toInstant());
        assertEquals(
                TestCsrs.SNP_NOW.plus(Duration.ofDays(28)), cert.getNotAfter().toInstant());
        assertTrue(cert.getSerialNumber().bitLength() > 120, "random 128-bit serial");
    }

    @Test
    void realSgxKeepCsrIsIssuedWithTcbStatusAndAdvisories() throws Exception {
        Steward steward = TestCsrs.steward(TestCsrs.stewardToml(), TestCsrs.SGX_NOW);
        var issued = assertInstanceOf(Enrollment.Issued.class, steward.enroll(TestCsrs.sgxCsr()));
        ClaimsExtension claims = ClaimsExtension.from(issued.certificate()).orElseThrow();
        assertEquals("sgx", claims.tee());
        assertEquals(SGX_MRENCLAVE, claims.measurementHex());
        assertEquals(Optional.of("OutOfDate"), claims.tcbStatus());
        assertEquals(8, claims.advisories().size());
        assertTrue(claims.advisories().contains("INTEL-SA-00657"));
        assertEquals(
                "7a49a07df0f8e90a6e1d9a63e3c696d9c844f0e3f8739b21daa640f99facc48a",
                HexFormat.of().formatHex(claims.signer().orElseThrow()));
        // the steward.toml SGX policy accepts a debug enclave ("Debug" among features): the claims must say so
        assertEquals(issued.keep().debug(), claims.debug());
    }

    @Test
    void flippedVectorsAreNotAttested() throws Exception {
        Steward snp = TestCsrs.steward(TestCsrs.stewardToml(), TestCsrs.SNP_NOW);
        // the flip breaks the CSR self-signature first: a malformed request (400) before any evidence is looked at
        assertInstanceOf(Enrollment.Malformed.class, snp.enroll(TestCsrs.vector("milan.signed.crl-flip3554.csr")));
        Steward sgx = TestCsrs.steward(TestCsrs.stewardToml(), TestCsrs.SGX_NOW);
        assertInstanceOf(
                Enrollment.Malformed.class,
                sgx.enroll(TestCsrs.vector("icelake.signed.tcb.crl.single.i5-flip271.csr")));
    }

    @Test
    void expiredCollateralIsNotAttested() throws Exception {
        Steward snp = TestCsrs.steward(TestCsrs.stewardToml(), java.time.Instant.parse("2023-06-01T00:00:00Z"));
        var r = assertInstanceOf(Enrollment.NoAttestation.class, snp.enroll(TestCsrs.snpCsr()));
        assertEquals("expired", r.cause());
        Steward sgx = TestCsrs.steward(TestCsrs.stewardToml(), java.time.Instant.parse("2023-03-01T00:00:00Z"));
        assertEquals(
                "expired",
                assertInstanceOf(Enrollment.NoAttestation.class, sgx.enroll(TestCsrs.sgxCsr()))
                        .cause());
    }

    @Test
    void policyRefusalsNameTheRule() throws Exception {
        String toml = Files.readString(TestCsrs.STEWARD.resolve("steward.toml"));
        var otherHash = StewardPolicy.parse(toml.replace(SNP_MEASUREMENT, "00".repeat(48)), TestCsrs.STEWARD);
        var r = assertInstanceOf(
                Enrollment.Refused.class,
                TestCsrs.steward(otherHash, TestCsrs.SNP_NOW).enroll(TestCsrs.snpCsr()));
        assertEquals("snp.hash", r.rule());
        var noSgx = StewardPolicy.parse(toml.substring(toml.indexOf("[snp]")), TestCsrs.STEWARD);
        var s = assertInstanceOf(
                Enrollment.Refused.class,
                TestCsrs.steward(noSgx, TestCsrs.SGX_NOW).enroll(TestCsrs.sgxCsr()));
        assertEquals("sgx", s.rule());
        assertTrue(s.reason().contains("no [sgx] section"), s.reason());
        var strictAdvisories = StewardPolicy.parse(
                toml.replaceAll("allowed_advisories = \\[.*]", "allowed_advisories = []"), TestCsrs.STEWARD);
        var a = assertInstanceOf(
                Enrollment.Refused.class,
                TestCsrs.steward(strictAdvisories, TestCsrs.SGX_NOW).enroll(TestCsrs.sgxCsr()));
        assertTrue(a.reason().contains("advisories"), a.reason());
    }

    @Test
    void evidenceOfAnotherKeyIsABindingFailure() throws Exception {
        // the real SNP evidence, moved into a CSR signed by a different key
        byte[] evidence = TestCsrs.evidenceOf(TestCsrs.snpCsr(), EvidenceOids.SNP);
        byte[] csr = TestCsrs.csr(TestCsrs.ext(EvidenceOids.SNP, evidence));
        var r = assertInstanceOf(
                Enrollment.NoAttestation.class,
                TestCsrs.steward(TestCsrs.stewardToml(), TestCsrs.SNP_NOW).enroll(csr));
        assertEquals("binding", r.cause());
        byte[] sgxEvidence = TestCsrs.evidenceOf(TestCsrs.sgxCsr(), EvidenceOids.SGX);
        var s = assertInstanceOf(
                Enrollment.NoAttestation.class,
                TestCsrs.steward(TestCsrs.stewardToml(), TestCsrs.SGX_NOW)
                        .enroll(TestCsrs.csr(TestCsrs.ext(EvidenceOids.SGX, sgxEvidence))));
        assertEquals("binding", s.cause());
    }

    @Test
    void requestsWithoutEvidence() throws Exception {
        Steward steward = TestCsrs.steward(TestCsrs.stewardToml(), TestCsrs.SNP_NOW);
        assertEquals(
                "missing",
                assertInstanceOf(Enrollment.NoAttestation.class, steward.enroll(TestCsrs.csr()))
                        .cause());
        assertEquals(
                "kvm",
                assertInstanceOf(
                                Enrollment.NoAttestation.class,
                                steward.enroll(TestCsrs.csr(TestCsrs.ext(EvidenceOids.KVM, new byte[] {5, 0}))))
                        .cause());
    }

    @Test
    void malformedRequests() throws Exception {
        Steward steward = TestCsrs.steward(TestCsrs.stewardToml(), TestCsrs.SNP_NOW);
        assertInstanceOf(Enrollment.Malformed.class, steward.enroll(new byte[0]));
        assertInstanceOf(Enrollment.Malformed.class, steward.enroll("hello".getBytes()));
        byte[] good = TestCsrs.snpCsr();
        assertInstanceOf(Enrollment.Malformed.class, steward.enroll(Arrays.copyOf(good, good.length + 1)));
        assertInstanceOf(Enrollment.Malformed.class, steward.enroll(Arrays.copyOf(good, good.length - 1)));
        byte[] evidence = TestCsrs.evidenceOf(good, EvidenceOids.SNP);
        var two = steward.enroll(TestCsrs.csr(
                TestCsrs.ext(EvidenceOids.SNP, evidence), TestCsrs.ext(EvidenceOids.KVM, new byte[] {5, 0})));
        assertTrue(assertInstanceOf(Enrollment.Malformed.class, two).reason().contains("exactly one"));
        var critical = steward.enroll(TestCsrs.csr(new Extension(
                new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.2.3.4"),
                true,
                new org.bouncycastle.asn1.DEROctetString(new byte[] {5, 0}))));
        assertInstanceOf(Enrollment.Malformed.class, critical);
        // garbage evidence under the SNP OID, correctly signed CSR
        var garbage = steward.enroll(TestCsrs.csr(TestCsrs.ext(EvidenceOids.SNP, new byte[] {4, 1, 0})));
        assertInstanceOf(Enrollment.Malformed.class, garbage);
    }

    @Test
    void workloadIdentityIsCarriedIntoTheCertificate() throws Exception {
        var w = new WorkloadIdentity(
                Optional.of("localhost/alice/rot13:1.0.0"),
                Optional.of(new WorkloadIdentity.Digest("sha-256", new byte[32])));
        var claims = new ClaimsExtension(
                "snp",
                new byte[48],
                false,
                Optional.empty(),
                Optional.of("UpToDate"),
                List.of("A", "B"),
                Optional.of(w));
        var back = ClaimsExtension.fromAsn1(claims.toAsn1());
        assertEquals(w.slug(), back.workload().orElseThrow().slug());
        assertArrayEquals(
                new byte[32],
                back.workload().orElseThrow().digest().orElseThrow().value());
        assertEquals(List.of("A", "B"), back.advisories());
        assertEquals(Optional.of("UpToDate"), back.tcbStatus());
    }

    @Test
    void realTdxQuoteInADonjonTdxCsrIsVerifiedThenRefusedForItsBinding() throws Exception {
        byte[] quote = java.nio.file.Files.readAllBytes(
                TestCsrs.VECTORS.resolve("tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat"));
        byte[] ext = new org.bouncycastle.asn1.DERSequence(new org.bouncycastle.asn1.DEROctetString(quote))
                .getEncoded("DER");
        java.time.Instant at = java.time.Instant.parse("2023-07-01T00:00:00Z");
        TrustAnchors anchors = new TrustAnchors(
                TrustAnchors.bundled().amdChains(),
                java.nio.file.Files.readAllBytes(TestCsrs.VECTORS.resolve("tdx/go-tdx-guest/trusted_root.pem")));
        Steward steward = new Steward(new Steward.Config(
                CertificateAuthority.generate(at),
                TestCsrs.stewardToml(),
                anchors,
                TestCsrs.at(at),
                Steward.Config.DEFAULT_VALIDITY,
                List.of()));
        // the quote verifies (signature, QE, PCK chain); its REPORT_DATA is not this CSR key's hash
        var r = assertInstanceOf(
                Enrollment.NoAttestation.class, steward.enroll(TestCsrs.csr(TestCsrs.ext(EvidenceOids.TDX, ext))));
        assertEquals("binding", r.cause(), r.reason());
        byte[] flipped = java.nio.file.Files.readAllBytes(
                TestCsrs.VECTORS.resolve("tdx/go-tdx-guest/tdx_prod_quote_SPR_E4-flip184.dat"));
        byte[] flippedExt = new org.bouncycastle.asn1.DERSequence(new org.bouncycastle.asn1.DEROctetString(flipped))
                .getEncoded("DER");
        assertEquals(
                "signature",
                assertInstanceOf(
                                Enrollment.NoAttestation.class,
                                steward.enroll(TestCsrs.csr(TestCsrs.ext(EvidenceOids.TDX, flippedExt))))
                        .cause());
        assertInstanceOf(
                Enrollment.Malformed.class,
                steward.enroll(TestCsrs.csr(TestCsrs.ext(EvidenceOids.TDX, new byte[] {5, 0}))));
    }

    @Test
    void simEvidenceIsRefusedWithoutASimSection() throws Exception {
        // the real SNP evidence under the sim OID: without [sim] the Steward refuses before looking at it
        byte[] evidence = TestCsrs.evidenceOf(TestCsrs.snpCsr(), EvidenceOids.SNP);
        var r = assertInstanceOf(
                Enrollment.Refused.class,
                TestCsrs.steward(TestCsrs.stewardToml(), TestCsrs.SNP_NOW)
                        .enroll(TestCsrs.csr(TestCsrs.ext(EvidenceOids.SIM, evidence))));
        assertEquals("sim", r.rule());
        assertTrue(r.reason().contains("no [sim] section"), r.reason());
    }
}
