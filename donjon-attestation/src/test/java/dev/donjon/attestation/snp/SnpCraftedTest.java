package dev.donjon.attestation.snp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.abi.snp.AttestationReport;
import dev.donjon.abi.snp.ProductLine;
import dev.donjon.abi.snp.SigningKey;
import dev.donjon.abi.snp.TcbVersion;
import dev.donjon.attestation.Container;
import dev.donjon.attestation.Endorsements;
import dev.donjon.attestation.EvidenceInput;
import dev.donjon.attestation.RejectReason;
import dev.donjon.attestation.Tee;
import dev.donjon.attestation.VerificationResult;
import dev.donjon.testing.TestAmd;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.Test;

/** Reports and chains made with a test AMD PKI: Turin and v5 layouts, CRLs, binding mismatches, the chain memo. */
class SnpCraftedTest {

    private static final TestAmd MILAN = new TestAmd(ProductLine.MILAN);
    private static final TestAmd TURIN = new TestAmd(ProductLine.TURIN);
    private static final byte[] REPORT_DATA = TestAmd.chipId(0x40);

    // the test PKI is a simulated root: trusted only because this verifier is told to
    private final SnpVerifier verifier = new SnpVerifier(simulated(MILAN, TURIN));

    static SnpTrustAnchors simulated(TestAmd... pkis) {
        try {
            SnpTrustAnchors t = SnpTrustAnchors.amd();
            for (TestAmd p : pkis) t = t.withSimulatedRoots(TestAmd.pem(p.ark));
            return t;
        } catch (dev.donjon.attestation.MalformedEvidenceException e) {
            throw new IllegalStateException(e);
        }
    }

    private static EvidenceInput input(
            byte[] report, X509CertificateHolder leaf, SigningKey kind, byte[] chain, List<X509CRLHolder> crls) {
        try {
            Optional<byte[]> der = Optional.of(leaf.getEncoded());
            List<byte[]> crlBytes = crls.stream()
                    .map(c -> {
                        try {
                            return c.getEncoded();
                        } catch (java.io.IOException e) {
                            throw new IllegalStateException(e);
                        }
                    })
                    .toList();
            Endorsements e = new Endorsements(
                    kind == SigningKey.VCEK ? der : Optional.empty(),
                    kind == SigningKey.VLEK ? der : Optional.empty(),
                    Optional.of(chain),
                    crlBytes,
                    Optional.empty(),
                    Optional.empty());
            return new EvidenceInput(Tee.SNP, Container.SNP_REPORT, report, e);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private SnpClaims accepted(EvidenceInput in, Instant now) {
        VerificationResult r = verifier.verify(in, now);
        SnpClaims c = (SnpClaims) assertInstanceOf(VerificationResult.Accepted.class, r, () -> "rejected: " + r)
                .claims();
        assertTrue(c.simulated(), "evidence under the test root is marked simulated");
        return c;
    }

    private VerificationResult.Rejected rejected(EvidenceInput in, Instant now, RejectReason reason) {
        VerificationResult r = verifier.verify(in, now);
        VerificationResult.Rejected rej =
                assertInstanceOf(VerificationResult.Rejected.class, r, () -> "accepted: " + r);
        assertEquals(reason, rej.reason(), rej.detail());
        return rej;
    }

    @Test
    void turinV5ReportWithEightByteHwIdIsAcceptedAndDecodedWithTheTurinLayout() {
        byte[] chip = new byte[64];
        System.arraycopy(TestAmd.chipId(7), 0, chip, 0, 8);
        X509CertificateHolder vcek = TURIN.vcek(TestAmd.TCB, Arrays.copyOf(chip, 8));
        byte[] report = TURIN.report(5, SigningKey.VCEK, TestAmd.TCB, chip, REPORT_DATA);

        SnpClaims c = accepted(
                input(report, vcek, SigningKey.VCEK, TestAmd.pem(TURIN.ask, TURIN.ark), List.of()), TestAmd.NOW);

        assertEquals(ProductLine.TURIN, c.product());
        assertEquals(5, c.version());
        assertEquals(new TcbVersion(TestAmd.TCB.raw(ProductLine.TURIN), 1, 9, 0, 23, 72), c.reportedTcb());
        assertEquals(5L, c.launchMitVector());
        assertEquals(7L, c.currentMitVector());
        assertEquals(new AttestationReport.Cpuid(0x1A, 0x02, 1), c.cpuid().orElseThrow());
        assertEquals(HexFormat.of().formatHex(chip), c.fields().get("chip_id"));
        assertEquals("5", c.fields().get("version"));
    }

    @Test
    void turinFmcSplMismatchIsABindingReject() {
        byte[] chip = new byte[64];
        X509CertificateHolder vcek = TURIN.vcek(new TestAmd.Tcb(2, 9, 0, 23, 72), new byte[8]);
        byte[] report = TURIN.report(3, SigningKey.VCEK, TestAmd.TCB, chip, REPORT_DATA);
        var r = rejected(
                input(report, vcek, SigningKey.VCEK, TestAmd.pem(TURIN.ask, TURIN.ark), List.of()),
                TestAmd.NOW,
                RejectReason.BINDING);
        assertTrue(r.detail().contains("fmcSPL"), r.detail());
    }

    @Test
    void turinHwIdMustMatchTheFirstEightChipIdBytes() {
        byte[] chip = TestAmd.chipId(1); // non-zero beyond byte 8: not a Turin chip id
        X509CertificateHolder vcek = TURIN.vcek(TestAmd.TCB, Arrays.copyOf(chip, 8));
        byte[] report = TURIN.report(3, SigningKey.VCEK, TestAmd.TCB, chip, REPORT_DATA);
        rejected(
                input(report, vcek, SigningKey.VCEK, TestAmd.pem(TURIN.ask, TURIN.ark), List.of()),
                TestAmd.NOW,
                RejectReason.BINDING);
    }

    @Test
    void milanV5ReportParsesMitigationVectorsAndTcb() {
        byte[] chip = TestAmd.chipId(3);
        X509CertificateHolder vcek = MILAN.vcek(TestAmd.TCB, chip);
        byte[] report = MILAN.report(5, SigningKey.VCEK, TestAmd.TCB, chip, REPORT_DATA);
        SnpClaims c = accepted(
                input(report, vcek, SigningKey.VCEK, TestAmd.pem(MILAN.ask, MILAN.ark), List.of()), TestAmd.NOW);
        assertEquals(new TcbVersion(TestAmd.TCB.raw(ProductLine.MILAN), 0, 9, 0, 23, 72), c.reportedTcb());
        assertEquals(5L, c.launchMitVector());
        assertEquals(ProductLine.MILAN, c.product());
    }

    @Test
    void reportedTcbDifferentFromTheVcekIsABindingReject() {
        byte[] chip = TestAmd.chipId(3);
        X509CertificateHolder vcek = MILAN.vcek(new TestAmd.Tcb(0, 9, 0, 23, 73), chip);
        byte[] report = MILAN.report(2, SigningKey.VCEK, TestAmd.TCB, chip, REPORT_DATA);
        var r = rejected(
                input(report, vcek, SigningKey.VCEK, TestAmd.pem(MILAN.ask, MILAN.ark), List.of()),
                TestAmd.NOW,
                RejectReason.BINDING);
        assertTrue(r.detail().contains("ucodeSPL"), r.detail());
    }

    @Test
    void hwIdOfAnotherChipIsABindingReject() {
        X509CertificateHolder vcek = MILAN.vcek(TestAmd.TCB, TestAmd.chipId(4));
        byte[] report = MILAN.report(2, SigningKey.VCEK, TestAmd.TCB, TestAmd.chipId(5), REPORT_DATA);
        var r = rejected(
                input(report, vcek, SigningKey.VCEK, TestAmd.pem(MILAN.ask, MILAN.ark), List.of()),
                TestAmd.NOW,
                RejectReason.BINDING);
        assertTrue(r.detail().contains("hwID"), r.detail());
    }

    @Test
    void maskedChipIdSkipsTheHwIdCheck() {
        X509CertificateHolder vcek = MILAN.vcek(TestAmd.TCB, TestAmd.chipId(4));
        byte[] report = MILAN.report(2, SigningKey.VCEK, TestAmd.TCB, new byte[64], REPORT_DATA);
        accepted(input(report, vcek, SigningKey.VCEK, TestAmd.pem(MILAN.ask, MILAN.ark), List.of()), TestAmd.NOW);
    }

    @Test
    void cpuidOfAnotherProductThanTheArkIsABindingReject() {
        // a Turin-CPUID report signed by a key endorsed under the (test) Milan root
        TestAmd mixed = MILAN;
        byte[] chip = new byte[64];
        X509CertificateHolder vcek = mixed.vcek(TestAmd.TCB, chip);
        byte[] report = mixed.report(3, SigningKey.VCEK, TestAmd.TCB, chip, REPORT_DATA);
        report[0x188] = 0x1A;
        mixed.sign(report);
        rejected(
                input(report, vcek, SigningKey.VCEK, TestAmd.pem(mixed.ask, mixed.ark), List.of()),
                TestAmd.NOW,
                RejectReason.BINDING);
    }

    @Test
    void vlekIsAcceptedUnderItsAsvkButNeverUnderAnAsk() {
        X509CertificateHolder vlek = MILAN.vlek(TestAmd.TCB);
        byte[] report = MILAN.report(3, SigningKey.VLEK, TestAmd.TCB, new byte[64], REPORT_DATA);
        SnpClaims c = accepted(
                input(report, vlek, SigningKey.VLEK, TestAmd.pem(MILAN.ask, MILAN.ark, MILAN.asvk), List.of()),
                TestAmd.NOW);
        assertEquals(SigningKey.VLEK, c.signingKey());

        // a VLEK-named leaf signed by the ASK (issuer name SEV-Milan): must not chain
        X509CertificateHolder vlekUnderAsk = MILAN.leaf(
                "SEV-VLEK",
                MILAN.ask,
                MILAN.askKey.getPrivate(),
                TestAmd.TCB,
                null,
                TestAmd.NOT_BEFORE,
                TestAmd.NOT_AFTER);
        rejected(
                input(report, vlekUnderAsk, SigningKey.VLEK, TestAmd.pem(MILAN.ask, MILAN.ark, MILAN.asvk), List.of()),
                TestAmd.NOW,
                RejectReason.CHAIN);
    }

    @Test
    void chainToAnotherRootIsAChainReject() {
        byte[] chip = TestAmd.chipId(3);
        X509CertificateHolder vcek = MILAN.vcek(TestAmd.TCB, chip);
        byte[] report = MILAN.report(2, SigningKey.VCEK, TestAmd.TCB, chip, REPORT_DATA);
        rejected(
                input(report, vcek, SigningKey.VCEK, Vectors.read("amd/milan/ask_ark.pem"), List.of()),
                TestAmd.NOW,
                RejectReason.CHAIN);
        rejected(
                input(report, vcek, SigningKey.VCEK, TestAmd.pem(MILAN.ask), List.of()),
                TestAmd.NOW,
                RejectReason.CHAIN);
    }

    @Test
    void crlsRevokeExpireAndMustVerify() {
        byte[] chip = TestAmd.chipId(3);
        X509CertificateHolder vcek = MILAN.vcek(TestAmd.TCB, chip);
        byte[] report = MILAN.report(2, SigningKey.VCEK, TestAmd.TCB, chip, REPORT_DATA);
        byte[] chain = TestAmd.pem(MILAN.ask, MILAN.ark);
        Instant from = Instant.parse("2024-12-01T00:00:00Z");
        Instant to = Instant.parse("2025-02-01T00:00:00Z");
        X509CRLHolder clean = MILAN.crl(MILAN.ark, MILAN.arkKey.getPrivate(), from, to, BigInteger.valueOf(0x20001));
        X509CRLHolder revokesAsk =
                MILAN.crl(MILAN.ark, MILAN.arkKey.getPrivate(), from, to, MILAN.ask.getSerialNumber());
        X509CRLHolder revokesVcek = MILAN.crl(MILAN.ask, MILAN.askKey.getPrivate(), from, to, BigInteger.ZERO);
        X509CRLHolder forged = MILAN.crl(MILAN.ark, MILAN.askKey.getPrivate(), from, to);
        X509CRLHolder otherRoot =
                TURIN.crl(TURIN.ark, TURIN.arkKey.getPrivate(), from, from, MILAN.ask.getSerialNumber());

        accepted(input(report, vcek, SigningKey.VCEK, chain, List.of(clean, otherRoot)), TestAmd.NOW);
        rejected(input(report, vcek, SigningKey.VCEK, chain, List.of(revokesAsk)), TestAmd.NOW, RejectReason.REVOKED);
        rejected(input(report, vcek, SigningKey.VCEK, chain, List.of(revokesVcek)), TestAmd.NOW, RejectReason.REVOKED);
        rejected(input(report, vcek, SigningKey.VCEK, chain, List.of(forged)), TestAmd.NOW, RejectReason.CHAIN);
        rejected(
                input(report, vcek, SigningKey.VCEK, chain, List.of(clean)),
                Instant.parse("2025-03-01T00:00:00Z"),
                RejectReason.EXPIRED);
        rejected(
                input(report, vcek, SigningKey.VCEK, chain, List.of(clean)),
                Instant.parse("2024-11-30T23:59:59Z"),
                RejectReason.EXPIRED);
        accepted(input(report, vcek, SigningKey.VCEK, chain, List.of(clean)), to); // windows are inclusive
    }

    @Test
    void memoizedChainIsStillJudgedAtEachInstant() {
        byte[] chip = TestAmd.chipId(3);
        X509CertificateHolder vcek = MILAN.vcek(TestAmd.TCB, chip);
        byte[] report = MILAN.report(2, SigningKey.VCEK, TestAmd.TCB, chip, REPORT_DATA);
        EvidenceInput in = input(report, vcek, SigningKey.VCEK, TestAmd.pem(MILAN.ask, MILAN.ark), List.of());
        accepted(in, TestAmd.NOW);
        accepted(in, TestAmd.NOT_AFTER);
        rejected(in, TestAmd.NOT_AFTER.plusSeconds(1), RejectReason.EXPIRED);
        rejected(in, TestAmd.NOT_BEFORE.minusSeconds(1), RejectReason.EXPIRED);
        accepted(in, TestAmd.NOW);
    }
}
