package dev.donjon.attestation.intel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.attestation.RejectReason;
import dev.donjon.attestation.Tee;
import dev.donjon.attestation.VerificationException;
import dev.donjon.testing.PcsVectors;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each piece of real PCS collateral checked on its own, as the collateral cache does before keeping it. */
class PcsCollateralTest {

    private final PcsCollateral check = new PcsCollateral(Optional.empty());

    PcsCollateralTest() throws Exception {}

    private static Tee tee(PcsVectors v) {
        return Tee.fromWireName(v.tee());
    }

    private static PcsCollateral.PckCa pckCa(PcsVectors v) {
        return Arrays.stream(PcsCollateral.PckCa.values())
                .filter(c -> c.parameter().equals(v.pckCa()))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void theRealQuotesNameTheirCollateral() throws Exception {
        assertEquals(
                new PcsCollateral.Needs(Tee.SGX, "00a067110000", PcsCollateral.PckCa.PROCESSOR),
                PcsCollateral.needs(PcsVectors.sgx().quote()));
        assertEquals(
                new PcsCollateral.Needs(Tee.TDX, "b0c06f000000", PcsCollateral.PckCa.PLATFORM),
                PcsCollateral.needs(PcsVectors.tdx().quote()));
    }

    @Test
    void everyRealPieceVerifiesInsideItsWindow() throws Exception {
        for (PcsVectors v : new PcsVectors[] {PcsVectors.sgx(), PcsVectors.tdx()}) {
            Instant now = v.validAt();
            PcsCollateral.Checked tcb =
                    check.tcbInfo(tee(v), v.fmspc(), v.tcbInfo(), bytes(v.tcbInfoIssuerChain()), now);
            assertEquals(v.tee().toUpperCase() + " TCB Info for FMSPC " + v.fmspc(), tcb.subject());
            assertTrue(tcb.nextUpdate().isAfter(now));
            check.qeIdentity(tee(v), v.qeIdentity(), bytes(v.qeIdentityIssuerChain()), now);
            check.pckCrl(pckCa(v), v.pckCrl(), bytes(v.pckCrlIssuerChain()), now);
            assertEquals(
                    "Intel SGX Root CA CRL", check.rootCrl(v.rootCrl(), now).subject());
        }
    }

    @Test
    void aPieceForAnotherPlatformIsRefused() throws Exception {
        PcsVectors sgx = PcsVectors.sgx();
        PcsVectors tdx = PcsVectors.tdx();
        assertReason(
                RejectReason.BINDING,
                () -> check.tcbInfo(
                        Tee.SGX, "00906ed50000", sgx.tcbInfo(), bytes(sgx.tcbInfoIssuerChain()), sgx.validAt()));
        assertReason(
                RejectReason.BINDING,
                () -> check.tcbInfo(
                        Tee.TDX, sgx.fmspc(), sgx.tcbInfo(), bytes(sgx.tcbInfoIssuerChain()), sgx.validAt()));
        assertReason(
                RejectReason.BINDING,
                () -> check.qeIdentity(Tee.SGX, tdx.qeIdentity(), bytes(tdx.qeIdentityIssuerChain()), tdx.validAt()));
        assertReason(
                RejectReason.BINDING,
                () -> check.pckCrl(
                        PcsCollateral.PckCa.PLATFORM, sgx.pckCrl(), bytes(sgx.pckCrlIssuerChain()), sgx.validAt()));
    }

    @Test
    void anAlteredOrExpiredPieceIsRefused() throws Exception {
        PcsVectors v = PcsVectors.sgx();
        String body = new String(v.tcbInfo(), StandardCharsets.UTF_8);
        byte[] altered = body.replace("\"pcesvn\":13", "\"pcesvn\":99").getBytes(StandardCharsets.UTF_8);
        assertTrue(!Arrays.equals(altered, v.tcbInfo()));
        assertReason(
                RejectReason.SIGNATURE,
                () -> check.tcbInfo(Tee.SGX, v.fmspc(), altered, bytes(v.tcbInfoIssuerChain()), v.validAt()));
        assertReason(
                RejectReason.EXPIRED,
                () -> check.tcbInfo(
                        Tee.SGX,
                        v.fmspc(),
                        v.tcbInfo(),
                        bytes(v.tcbInfoIssuerChain()),
                        Instant.parse("2025-07-20T00:00:00Z")));
        byte[] crl = v.pckCrl().clone();
        crl[crl.length - 5] ^= 1; // inside the signature
        assertReason(
                RejectReason.SIGNATURE, () -> check.pckCrl(pckCa(v), crl, bytes(v.pckCrlIssuerChain()), v.validAt()));
        // the TCB signing chain is not a PCK CRL chain
        assertReason(
                RejectReason.BINDING,
                () -> check.pckCrl(pckCa(v), v.pckCrl(), bytes(v.tcbInfoIssuerChain()), v.validAt()));
    }

    @Test
    void aChainToAnotherRootIsRefused() throws Exception {
        PcsVectors v = PcsVectors.sgx();
        PcsCollateral pinnedElsewhere =
                new PcsCollateral(Optional.of(PcsVectors.read("synthetic/intel-qvl-sampleData/trustedRootCaCert.pem")));
        assertReason(
                RejectReason.CHAIN,
                () -> pinnedElsewhere.tcbInfo(
                        Tee.SGX, v.fmspc(), v.tcbInfo(), bytes(v.tcbInfoIssuerChain()), v.validAt()));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static void assertReason(RejectReason want, org.junit.jupiter.api.function.Executable e) {
        VerificationException x = assertThrows(VerificationException.class, e);
        assertEquals(want, x.reason(), x.getMessage());
    }
}
