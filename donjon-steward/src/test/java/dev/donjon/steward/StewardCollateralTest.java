package dev.donjon.steward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.abi.csr.EvidenceOids;
import dev.donjon.collateral.CollateralChecks;
import dev.donjon.collateral.CollateralService;
import dev.donjon.collateral.CollateralStore;
import dev.donjon.collateral.PcsClient;
import dev.donjon.testing.FakePcs;
import dev.donjon.testing.PcsVectors;
import dev.donjon.testing.SettableClock;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Steward judges SGX and TDX quotes with collateral from the cache, and refuses when it is missing or stale. */
class StewardCollateralTest {

    private static FakePcs pcs;

    @TempDir
    Path cache;

    @BeforeAll
    static void start() throws Exception {
        pcs = FakePcs.start();
    }

    @AfterAll
    static void stop() {
        pcs.close();
    }

    private Steward steward(SettableClock clock) throws Exception {
        CollateralService collateral = new CollateralService(
                new CollateralStore(cache),
                List.of(PcsClient.of(pcs.baseUri(), Optional.of(pcs.clientTls()))),
                CollateralChecks.pinned(),
                clock,
                CollateralService.Settings.defaults());
        return new Steward(new Steward.Config(
                CertificateAuthority.generate(clock.instant()),
                TestCsrs.stewardToml(),
                TrustAnchors.bundled(),
                clock,
                Steward.Config.DEFAULT_VALIDITY,
                List.of(),
                Optional.of(collateral)));
    }

    private static byte[] tdxCsr() throws Exception {
        byte[] ext = new DERSequence(new DEROctetString(PcsVectors.tdx().quote())).getEncoded("DER");
        return TestCsrs.csr(TestCsrs.ext(EvidenceOids.TDX, ext));
    }

    @Test
    void aTdxQuoteIsVerifiedWithFetchedCollateralThenRefusedOnlyForItsBinding() throws Exception {
        pcs.mode(FakePcs.Mode.SERVE);
        var r = assertInstanceOf(
                Enrollment.NoAttestation.class,
                steward(new SettableClock(PcsVectors.MID_JULY_2025)).enroll(tdxCsr()));
        assertEquals("binding", r.cause(), r.reason());
        assertTrue(pcs.hits("/tdx/certification/v4/qe/identity") > 0);
    }

    @Test
    void missingOrStaleCollateralIsRefusedNamingThePiece() throws Exception {
        pcs.mode(FakePcs.Mode.DOWN_503);
        SettableClock clock = new SettableClock(PcsVectors.MID_JULY_2025);
        var r = assertInstanceOf(Enrollment.NoAttestation.class, steward(clock).enroll(tdxCsr()));
        assertEquals("collateral", r.cause());
        assertEquals(
                "tdx evidence cannot be judged: no TDX TCB Info for FMSPC b0c06f000000 in the collateral cache " + cache
                        + " and " + pcs.baseUri() + " cannot supply it: " + pcs.baseUri()
                        + "/tdx/certification/v4/tcb?fmspc=B0C06F000000 answered HTTP 503",
                r.reason());

        pcs.mode(FakePcs.Mode.SERVE);
        steward(clock).enroll(tdxCsr()); // fills the cache
        pcs.mode(FakePcs.Mode.DOWN_503);
        clock.set(Instant.parse("2025-07-25T00:00:00Z"));
        var stale =
                assertInstanceOf(Enrollment.NoAttestation.class, steward(clock).enroll(tdxCsr()));
        assertEquals("collateral", stale.cause());
        assertTrue(
                stale.reason()
                        .startsWith("tdx evidence cannot be judged: the cached TDX TCB Info for FMSPC b0c06f000000"),
                stale.reason());
        pcs.mode(FakePcs.Mode.SERVE);
    }
}
