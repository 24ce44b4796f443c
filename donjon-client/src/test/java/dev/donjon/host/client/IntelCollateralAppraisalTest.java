package dev.donjon.host.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.collateral.CollateralChecks;
import dev.donjon.collateral.CollateralService;
import dev.donjon.collateral.CollateralStore;
import dev.donjon.collateral.PcsClient;
import dev.donjon.host.protocol.KeepEvidence;
import dev.donjon.host.protocol.KeepOffer;
import dev.donjon.testing.FakePcs;
import dev.donjon.testing.PcsVectors;
import dev.donjon.testing.SettableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deploy client appraises the real SGX and TDX quotes of ../shared/vectors with collateral its cache fetched from a
 * local HTTPS server that serves it the way Intel's PCS does (clock pinned inside the collateral's window). Their report
 * data binds no key of ours, so the full appraisal stops exactly at the nonce binding, which the sim tests cover.
 */
class IntelCollateralAppraisalTest {

    private static FakePcs pcs;

    @TempDir
    Path cache;

    private final SettableClock clock = new SettableClock(PcsVectors.MID_JULY_2025);

    @BeforeAll
    static void start() throws Exception {
        pcs = FakePcs.start();
    }

    @AfterAll
    static void stop() {
        pcs.close();
    }

    @BeforeEach
    void up() {
        pcs.mode(FakePcs.Mode.SERVE);
    }

    private KeepAppraiser appraiser() throws Exception {
        CollateralService collateral = new CollateralService(
                new CollateralStore(cache),
                List.of(PcsClient.of(pcs.baseUri(), Optional.of(pcs.clientTls()))),
                CollateralChecks.pinned(),
                clock,
                CollateralService.Settings.defaults());
        TrustOptions trust = new TrustOptions(
                        Optional.empty(), Optional.empty(), false, Optional.empty(), Optional.empty())
                .withCollateral(collateral);
        return new KeepAppraiser(trust, clock);
    }

    private static KeepEvidence evidence(PcsVectors v) {
        return new KeepEvidence(v.tee(), "intel-quote", v.quote(), new byte[0]);
    }

    @Test
    void theRealSgxQuoteIsAcceptedWithFetchedCollateral() throws Exception {
        KeepAppraiser a = appraiser();
        Appraisal.Trusted t = assertInstanceOf(Appraisal.Trusted.class, a.verifyEvidence(evidence(PcsVectors.sgx())));
        assertEquals("sgx evidence verified, TCB ConfigurationAndSWHardeningNeeded", t.summary());
        stopsOnlyAtTheBinding(a, PcsVectors.sgx());
    }

    @Test
    void theRealTdxQuoteIsAcceptedWithFetchedCollateral() throws Exception {
        KeepAppraiser a = appraiser();
        Appraisal.Trusted t = assertInstanceOf(Appraisal.Trusted.class, a.verifyEvidence(evidence(PcsVectors.tdx())));
        assertEquals("tdx evidence verified, TCB UpToDate", t.summary());
        stopsOnlyAtTheBinding(a, PcsVectors.tdx());
    }

    private static void stopsOnlyAtTheBinding(KeepAppraiser a, PcsVectors v) {
        KeepOffer offer = new KeepOffer("k1", v.tee(), new byte[97], Optional.of(evidence(v)));
        Appraisal.Refused r = assertInstanceOf(Appraisal.Refused.class, a.appraise(offer, new byte[32]));
        assertEquals(
                "the evidence does not bind this Keep's public key to this deployment's nonce (replayed, stale or another Keep's evidence)",
                r.reason());
    }

    @Test
    void anOutageIsServedFromTheCacheAndAnExpiredCacheIsRefused() throws Exception {
        KeepAppraiser a = appraiser();
        assertInstanceOf(Appraisal.Trusted.class, a.verifyEvidence(evidence(PcsVectors.tdx())));
        pcs.mode(FakePcs.Mode.DOWN_503);
        clock.set(PcsVectors.MID_JULY_2025.plus(Duration.ofDays(4)));
        assertInstanceOf(Appraisal.Trusted.class, a.verifyEvidence(evidence(PcsVectors.tdx())));
        clock.set(Instant.parse("2025-07-21T00:00:00Z"));
        Appraisal.Refused r =
                assertInstanceOf(Appraisal.Refused.class, appraiser().verifyEvidence(evidence(PcsVectors.tdx())));
        assertTrue(
                r.reason()
                        .startsWith(
                                "cannot appraise the Keep's tdx evidence: the cached TDX TCB Info for FMSPC b0c06f000000 in "
                                        + cache
                                        + " is not usable (TDX TCB Info for FMSPC b0c06f000000 is valid 2025-06-19T10:16:03Z .. 2025-07-19T10:16:03Z, not at 2025-07-21T00:00:00Z)"),
                r.reason());
        assertTrue(r.reason().endsWith("answered HTTP 503"), r.reason());
    }

    @Test
    void withoutACollateralSourceSgxAndTdxAreRefused() {
        KeepAppraiser a = new KeepAppraiser(
                new TrustOptions(Optional.empty(), Optional.empty(), false, Optional.empty(), Optional.empty()), clock);
        Appraisal.Refused r = assertInstanceOf(Appraisal.Refused.class, a.verifyEvidence(evidence(PcsVectors.sgx())));
        assertEquals(
                "cannot appraise the Keep's sgx evidence: no Intel collateral source is configured (TCB Info, QE Identity and CRLs come from the collateral cache)",
                r.reason());
    }
}
