package dev.donjon.attestation.snp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.abi.snp.ProductLine;
import dev.donjon.abi.snp.SigningKey;
import dev.donjon.attestation.Container;
import dev.donjon.attestation.Endorsements;
import dev.donjon.attestation.EvidenceInput;
import dev.donjon.attestation.MalformedEvidenceException;
import dev.donjon.attestation.RejectReason;
import dev.donjon.attestation.Tee;
import dev.donjon.attestation.VerificationResult;
import dev.donjon.attestation.Verifiers;
import dev.donjon.attestation.policy.Policy;
import dev.donjon.attestation.policy.PolicyDecision;
import dev.donjon.attestation.policy.PolicyToml;
import dev.donjon.testing.TestAmd;
import java.io.IOException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.Test;

/**
 * The sim platform's evidence: the real SEV-SNP layout under a locally generated ARK -> ASK -> VCEK chain (here made
 * with BouncyCastle in AMD's certificate profile). Nothing trusts that root unless told to; when told, the claims say
 * SIMULATED and a policy accepts them only under an explicit [sim] section.
 */
class SnpSimulatedRootTest {

    private static final TestAmd SIM = new TestAmd(ProductLine.MILAN);
    private static final TestAmd OTHER_SIM = new TestAmd(ProductLine.MILAN);
    private static final byte[] CHIP = TestAmd.chipId(9);

    private static EvidenceInput simEvidence(TestAmd pki) throws IOException {
        X509CertificateHolder vcek = pki.vcek(TestAmd.TCB, CHIP);
        byte[] report = pki.report(3, SigningKey.VCEK, TestAmd.TCB, CHIP, TestAmd.chipId(0x40));
        Endorsements e = new Endorsements(
                Optional.of(vcek.getEncoded()),
                Optional.empty(),
                Optional.of(TestAmd.pem(pki.ask, pki.ark)),
                List.of(),
                Optional.empty(),
                Optional.empty());
        return new EvidenceInput(Tee.SNP, Container.SNP_REPORT, report, e);
    }

    private static SnpTrustAnchors trusting(TestAmd pki) throws MalformedEvidenceException {
        return SnpTrustAnchors.amd().withSimulatedRoots(TestAmd.pem(pki.ark));
    }

    @Test
    void nothingTrustsTheSimRootByDefault() throws Exception {
        for (var verifier :
                List.of(new SnpVerifier(), Verifiers.load().forTee(Tee.SNP), new SnpVerifier(SnpTrustAnchors.amd()))) {
            VerificationResult r = verifier.verify(simEvidence(SIM), TestAmd.NOW);
            VerificationResult.Rejected rej = assertInstanceOf(VerificationResult.Rejected.class, r);
            assertEquals(RejectReason.CHAIN, rej.reason(), rej.detail());
            assertTrue(rej.detail().contains("is not one of AMD's ARKs"), rej.detail());
        }
    }

    @Test
    void aConfiguredSimRootVerifiesAndTheClaimsSaySimulated() throws Exception {
        VerificationResult r = new SnpVerifier(trusting(SIM)).verify(simEvidence(SIM), TestAmd.NOW);
        SnpClaims c = (SnpClaims) assertInstanceOf(VerificationResult.Accepted.class, r, r::toString)
                .claims();
        assertTrue(c.simulated());
        assertEquals("true", c.fields().get("simulated"));
        assertEquals(HexFormat.of().formatHex(CHIP), c.fields().get("chip_id"));
    }

    @Test
    void aSimAskPlusArkBundleTrustsItsArk() throws Exception {
        SnpTrustAnchors t = SnpTrustAnchors.amd().withSimulatedRoots(TestAmd.pem(SIM.ask, SIM.ark));
        assertTrue(new SnpVerifier(t).verify(simEvidence(SIM), TestAmd.NOW).accepted());
    }

    @Test
    void aSimRootTrustsOnlyItsOwnChain() throws Exception {
        VerificationResult r = new SnpVerifier(trusting(SIM)).verify(simEvidence(OTHER_SIM), TestAmd.NOW);
        assertEquals(
                RejectReason.CHAIN,
                assertInstanceOf(VerificationResult.Rejected.class, r).reason());
    }

    @Test
    void realAmdEvidenceIsNotSimulatedUnderASimConfiguredVerifier() throws Exception {
        EvidenceInput real = Vectors.report(
                "snp/go-sev-guest/attestation.bin", "snp/go-sev-guest/vcek.testcer", "amd/milan/ask_ark.pem");
        VerificationResult r =
                new SnpVerifier(trusting(SIM)).verify(real, java.time.Instant.parse("2024-06-01T00:00:00Z"));
        SnpClaims c = (SnpClaims) assertInstanceOf(VerificationResult.Accepted.class, r, r::toString)
                .claims();
        assertFalse(c.simulated());
        assertFalse(c.fields().containsKey("simulated"));
    }

    @Test
    void amdsOwnArkOrANonRootCannotBeConfiguredAsSimulated() throws Exception {
        X509CertificateHolder arkMilan = CertificateFiles.certificates(
                        Vectors.read("amd/milan/ask_ark.pem"), "amd_chain")
                .get(1);
        var amdArk = assertThrows(
                MalformedEvidenceException.class,
                () -> SnpTrustAnchors.amd().withSimulatedRoots(TestAmd.pem(arkMilan)));
        assertTrue(amdArk.getMessage().contains("AMD's own ARK"), amdArk.getMessage());
        assertThrows(
                MalformedEvidenceException.class, () -> SnpTrustAnchors.amd().withSimulatedRoots(TestAmd.pem(SIM.ask)));
        assertThrows(
                MalformedEvidenceException.class, () -> SnpTrustAnchors.amd().withSimulatedRoots("junk".getBytes()));
    }

    @Test
    void policyAcceptsSimulatedEvidenceOnlyUnderAnExplicitSimSection() throws Exception {
        var accepted = assertInstanceOf(
                VerificationResult.Accepted.class,
                new SnpVerifier(trusting(SIM)).verify(simEvidence(SIM), TestAmd.NOW));
        String measurement = accepted.claims().fields().get("measurement");
        String rules = "hash = [\"" + measurement + "\"]\n";

        Policy snpOnly = PolicyToml.parse("[snp]\n" + rules);
        PolicyDecision.Reject refused = assertInstanceOf(PolicyDecision.Reject.class, snpOnly.evaluate(accepted));
        assertEquals("sim", refused.rule());
        assertTrue(refused.detail().contains("SIMULATED"), refused.detail());

        Policy withSim = PolicyToml.parse("[sim]\n" + rules);
        PolicyDecision.Accept ok = assertInstanceOf(PolicyDecision.Accept.class, withSim.evaluate(accepted));
        assertTrue(ok.notes().getFirst().startsWith("SIMULATED"), ok.notes().toString());

        Policy otherMeasurement = PolicyToml.parse("[sim]\nhash = [\"" + "00".repeat(48) + "\"]\n");
        PolicyDecision.Reject wrong =
                assertInstanceOf(PolicyDecision.Reject.class, otherMeasurement.evaluate(accepted));
        assertEquals("sim.hash", wrong.rule());
    }
}
