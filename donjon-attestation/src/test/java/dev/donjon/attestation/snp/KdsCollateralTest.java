package dev.donjon.attestation.snp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.abi.snp.ProductLine;
import dev.donjon.attestation.RejectReason;
import dev.donjon.attestation.VerificationException;
import dev.donjon.testing.TestAmd;
import java.math.BigInteger;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** AMD KDS pieces checked on their own, as the collateral cache does before keeping them. */
class KdsCollateralTest {

    private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");
    private final KdsCollateral amd = new KdsCollateral(SnpTrustAnchors.amd());

    @Test
    void amdsRealMilanChainAndAVcekUnderItPass() throws Exception {
        byte[] chain = Vectors.read("amd/milan/ask_ark.pem");
        KdsCollateral.Checked c = amd.certChain(ProductLine.MILAN, chain, NOW);
        assertEquals("AMD Milan cert_chain (SEV-Milan + ARK-Milan)", c.subject());
        assertEquals(Instant.parse("2045-10-22T17:23:05Z"), c.nextUpdate());
        KdsCollateral.Checked v = amd.vcek(ProductLine.MILAN, Vectors.read("snp/virtee/vcek_milan.der"), chain, NOW);
        assertEquals(Instant.parse("2030-04-03T19:23:43Z"), v.nextUpdate());
    }

    @Test
    void aChainForAnotherProductOrUnderAnotherRootIsRefused() throws Exception {
        assertReason(
                RejectReason.BINDING,
                () -> amd.certChain(ProductLine.GENOA, Vectors.read("amd/milan/ask_ark.pem"), NOW));
        TestAmd fake = new TestAmd(ProductLine.MILAN);
        assertReason(RejectReason.CHAIN, () -> amd.certChain(ProductLine.MILAN, TestAmd.pem(fake.ask, fake.ark), NOW));
        // a VCEK of the fake chain is not signed by AMD's ASK
        byte[] vcek = fake.vcek(TestAmd.TCB, TestAmd.chipId(1)).getEncoded();
        assertReason(
                RejectReason.CHAIN,
                () -> amd.vcek(ProductLine.MILAN, vcek, Vectors.read("amd/milan/ask_ark.pem"), NOW));
        assertReason(
                RejectReason.EXPIRED,
                () -> amd.vcek(
                        ProductLine.MILAN,
                        Vectors.read("snp/virtee/vcek_milan.der"),
                        Vectors.read("amd/milan/ask_ark.pem"),
                        Instant.parse("2031-01-01T00:00:00Z")));
    }

    @Test
    void theArksCrlMustVerifyAndBeCurrent() throws Exception {
        TestAmd sim = new TestAmd(ProductLine.GENOA);
        KdsCollateral check = new KdsCollateral(SnpTrustAnchors.amd().withSimulatedRoots(TestAmd.pem(sim.ark)));
        byte[] chain = TestAmd.pem(sim.ask, sim.ark);
        byte[] crl = sim.crl(
                        sim.ark,
                        sim.arkKey.getPrivate(),
                        TestAmd.NOW.minusSeconds(3600),
                        TestAmd.NOW.plusSeconds(86_400),
                        BigInteger.valueOf(0x999))
                .getEncoded();
        KdsCollateral.Checked c = check.crl(ProductLine.GENOA, crl, chain, TestAmd.NOW);
        assertEquals(TestAmd.NOW.plusSeconds(86_400), c.nextUpdate());
        assertReason(
                RejectReason.EXPIRED,
                () -> check.crl(ProductLine.GENOA, crl, chain, TestAmd.NOW.plusSeconds(2 * 86_400)));
        byte[] byAsk = sim.crl(
                        sim.ask,
                        sim.askKey.getPrivate(),
                        TestAmd.NOW.minusSeconds(3600),
                        TestAmd.NOW.plusSeconds(86_400))
                .getEncoded();
        assertReason(RejectReason.BINDING, () -> check.crl(ProductLine.GENOA, byAsk, chain, TestAmd.NOW));
        byte[] forged = crl.clone();
        forged[forged.length - 3] ^= 1;
        VerificationException x = assertThrows(
                VerificationException.class, () -> check.crl(ProductLine.GENOA, forged, chain, TestAmd.NOW));
        assertTrue(x.reason() == RejectReason.SIGNATURE || x.reason() == RejectReason.MALFORMED, x.getMessage());
        // AMD's anchors alone do not trust the simulated ARK
        assertReason(RejectReason.CHAIN, () -> amd.crl(ProductLine.GENOA, crl, chain, TestAmd.NOW));
    }

    private static void assertReason(RejectReason want, org.junit.jupiter.api.function.Executable e) {
        VerificationException x = assertThrows(VerificationException.class, e);
        assertEquals(want, x.reason(), x.getMessage());
    }
}
