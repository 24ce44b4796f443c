package dev.donjon.collateral;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.attestation.IntelCollateral;
import dev.donjon.attestation.Tee;
import dev.donjon.testing.FakePcs;
import dev.donjon.testing.PcsVectors;
import dev.donjon.testing.SettableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache against a local HTTPS server that serves the real collateral the way Intel's PCS does. */
class CollateralServiceTest {

    private static FakePcs pcs;

    @TempDir
    Path dir;

    private final SettableClock clock = new SettableClock(PcsVectors.MID_JULY_2025);

    @BeforeAll
    static void startPcs() throws Exception {
        pcs = FakePcs.start();
    }

    @AfterAll
    static void stopPcs() {
        pcs.close();
    }

    @BeforeEach
    void serve() {
        pcs.mode(FakePcs.Mode.SERVE);
    }

    private CollateralService service(Path cache) throws Exception {
        return new CollateralService(
                new CollateralStore(cache),
                List.of(PcsClient.of(pcs.baseUri(), Optional.of(pcs.clientTls()))),
                CollateralChecks.pinned(),
                clock,
                CollateralService.Settings.defaults());
    }

    @Test
    void aQuotesCollateralIsFetchedVerifiedAndThenServedFromTheCache() throws Exception {
        PcsVectors sgx = PcsVectors.sgx();
        int before = pcs.hits("/sgx/certification/v4/tcb?fmspc=00A067110000");
        CollateralService s = service(dir);
        IntelCollateral.Files f = s.forQuote(sgx.quote());
        assertArrayEquals(sgx.tcbInfo(), f.tcbInfo());
        assertArrayEquals(sgx.qeIdentity(), f.qeIdentity().orElseThrow());
        assertArrayEquals(sgx.pckCrl(), f.pckCrl().orElseThrow());
        assertArrayEquals(sgx.rootCrl(), f.rootCaCrl().orElseThrow());
        assertEquals(sgx.tcbInfoIssuerChain(), new String(f.tcbInfoIssuerChain(), StandardCharsets.US_ASCII));
        assertEquals(before + 1, pcs.hits("/sgx/certification/v4/tcb?fmspc=00A067110000"));
        int total = pcs.totalHits();
        s.forQuote(sgx.quote());
        // a second service on the same directory: from disk, verified again, nothing fetched
        service(dir).forQuote(sgx.quote());
        assertEquals(total, pcs.totalHits());
        for (String id :
                List.of("intel-sgx-tcb-00a067110000", "intel-sgx-qe", "intel-pckcrl-processor", "intel-rootcrl")) {
            assertTrue(Files.isRegularFile(dir.resolve(id + ".json")), id);
        }
    }

    @Test
    void tdxUsesTheTdxPathsAndThePlatformCaCrl() throws Exception {
        PcsVectors tdx = PcsVectors.tdx();
        IntelCollateral.Files f = service(dir).forQuote(tdx.quote());
        assertArrayEquals(tdx.tcbInfo(), f.tcbInfo());
        assertTrue(pcs.hits("/tdx/certification/v4/tcb?fmspc=B0C06F000000") > 0);
        assertTrue(pcs.hits("/tdx/certification/v4/qe/identity") > 0);
        assertTrue(pcs.hits("/sgx/certification/v4/pckcrl?ca=platform&encoding=der") > 0);
    }

    @Test
    void duringAnOutageTheCacheIsServedUntilNextUpdateThenRefused() throws Exception {
        PcsVectors sgx = PcsVectors.sgx();
        CollateralService s = service(dir);
        s.forQuote(sgx.quote());
        pcs.mode(FakePcs.Mode.DOWN_503);
        clock.set(PcsVectors.MID_JULY_2025.plus(
                Duration.ofDays(3))); // past refreshAfter (1 day): a refresh is tried and fails
        int total = pcs.totalHits();
        assertArrayEquals(sgx.tcbInfo(), s.forQuote(sgx.quote()).tcbInfo());
        assertTrue(pcs.totalHits() > total, "a refresh was attempted");
        // backing off: the next appraisal does not ask again
        int afterFailure = pcs.totalHits();
        s.forQuote(sgx.quote());
        assertEquals(afterFailure, pcs.totalHits());

        clock.set(Instant.parse("2025-07-20T00:00:00Z")); // every piece but the root CRL is past its nextUpdate
        CollateralService fresh = service(dir); // no back-off state: it asks the PCS, which is still down
        CollateralUnavailableException e =
                assertThrows(CollateralUnavailableException.class, () -> fresh.forQuote(sgx.quote()));
        assertTrue(
                e.getMessage()
                        .startsWith("the cached SGX TCB Info for FMSPC 00a067110000 in " + dir
                                + " is not usable (SGX TCB Info for FMSPC 00a067110000 is valid"),
                e.getMessage());
        assertTrue(
                e.getMessage()
                        .contains(pcs.baseUri() + " cannot supply a fresh one: " + pcs.baseUri()
                                + "/sgx/certification/v4/tcb?fmspc=00A067110000 answered HTTP 503"),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void dueRefreshesKeepAnIdleCacheWarm() throws Exception {
        String tcb = "/tdx/certification/v4/tcb?fmspc=B0C06F000000";
        CollateralService s = service(dir);
        s.forQuote(PcsVectors.tdx().quote());
        int fetched = pcs.hits(tcb);
        assertEquals(List.of(), s.refreshDue());
        assertEquals(fetched, pcs.hits(tcb), "nothing is due within refreshAfter");
        clock.set(PcsVectors.MID_JULY_2025.plus(Duration.ofDays(2)));
        assertEquals(List.of(), s.refreshDue());
        assertEquals(fetched + 1, pcs.hits(tcb), "a piece past refreshAfter is fetched again without any quote");
        assertEquals(List.of(), s.refreshDue(), "and is not due again");
        assertEquals(fetched + 1, pcs.hits(tcb));
        // a failed refresh keeps the cached piece; once expired, it is reported
        pcs.mode(FakePcs.Mode.DOWN_503);
        clock.set(Instant.parse("2025-07-25T00:00:00Z"));
        List<String> problems = service(dir).refreshDue();
        assertEquals(
                3,
                problems.size(),
                problems.toString()); // the TCB Info, QE Identity and PCK CRL; the root CRL lasts until 2026
        assertTrue(
                problems.stream()
                        .anyMatch(
                                p -> p.startsWith(
                                        "the cached TDX TCB Info for FMSPC b0c06f000000 in " + dir
                                                + " is not usable (TDX TCB Info for FMSPC b0c06f000000 is valid 2025-06-19T10:16:03Z .. 2025-07-19T10:16:03Z, not at 2025-07-25T00:00:00Z)")),
                problems.toString());
    }

    @Test
    void missingCollateralIsRefusedNamingThePiece() throws Exception {
        pcs.mode(FakePcs.Mode.RATE_LIMITED_429);
        CollateralService s = service(dir);
        CollateralUnavailableException e = assertThrows(
                CollateralUnavailableException.class,
                () -> s.forQuote(PcsVectors.tdx().quote()));
        assertEquals(
                "no TDX TCB Info for FMSPC b0c06f000000 in the collateral cache " + dir + " and " + pcs.baseUri()
                        + " cannot supply it: " + pcs.baseUri()
                        + "/tdx/certification/v4/tcb?fmspc=B0C06F000000 answered HTTP 429 (too many requests)",
                e.getMessage());
        // the service's Retry-After (120 s) holds the next attempt back
        pcs.mode(FakePcs.Mode.SERVE);
        clock.set(PcsVectors.MID_JULY_2025.plusSeconds(60));
        CollateralUnavailableException held = assertThrows(
                CollateralUnavailableException.class,
                () -> s.forQuote(PcsVectors.tdx().quote()));
        assertTrue(held.getMessage().contains("next attempt after 2025-07-10T00:02:00Z"), held.getMessage());
        clock.set(PcsVectors.MID_JULY_2025.plusSeconds(121));
        s.forQuote(PcsVectors.tdx().quote());
    }

    @Test
    void offlineTheCacheIsAllThereIs() throws Exception {
        CollateralService online = service(dir);
        online.forQuote(PcsVectors.sgx().quote());
        CollateralService offline = new CollateralService(
                new CollateralStore(dir),
                List.of(),
                CollateralChecks.pinned(),
                clock,
                CollateralService.Settings.defaults());
        offline.forQuote(PcsVectors.sgx().quote());
        CollateralUnavailableException e = assertThrows(
                CollateralUnavailableException.class,
                () -> offline.forQuote(PcsVectors.tdx().quote()));
        assertEquals(
                "no TDX TCB Info for FMSPC b0c06f000000 in the collateral cache " + dir
                        + " (offline: fetch it with `donjon collateral fetch` or import a bundle)",
                e.getMessage());
    }

    @Test
    void aPieceAlteredOnDiskIsNeverServed() throws Exception {
        service(dir).forQuote(PcsVectors.sgx().quote());
        Path file = dir.resolve("intel-sgx-tcb-00a067110000.json");
        CollateralEntry stored = EntryJson.entry(Files.readAllBytes(file));
        byte[] body = new String(stored.body(), StandardCharsets.UTF_8)
                .replace("\"pcesvn\":13", "\"pcesvn\":99")
                .getBytes(StandardCharsets.UTF_8);
        Files.write(
                file,
                EntryJson.entryBytes(new CollateralEntry(
                        stored.key(), body, stored.issuerChain(), stored.source(), stored.fetched())));
        pcs.mode(FakePcs.Mode.DOWN_503);
        CollateralUnavailableException e = assertThrows(
                CollateralUnavailableException.class,
                () -> service(dir).forQuote(PcsVectors.sgx().quote()));
        assertTrue(e.getMessage().contains("TCB Info signature does not verify"), e.getMessage());
        pcs.mode(FakePcs.Mode.SERVE);
        assertArrayEquals(
                PcsVectors.sgx().tcbInfo(),
                service(dir).forQuote(PcsVectors.sgx().quote()).tcbInfo());
    }

    @Test
    void bundlesCarryTheCacheToAnOfflineMachineAndAreVerifiedOnImport() throws Exception {
        CollateralService online = service(dir);
        online.forQuote(PcsVectors.sgx().quote());
        online.forQuote(PcsVectors.tdx().quote());
        List<String> problems = new ArrayList<>();
        byte[] bundle = EntryJson.bundle(online.store().all(problems));
        assertTrue(problems.isEmpty(), problems.toString());
        Path other = Files.createTempDirectory(dir, "offline");
        CollateralService offline = new CollateralService(
                new CollateralStore(other),
                List.of(),
                CollateralChecks.pinned(),
                clock,
                CollateralService.Settings.defaults());
        List<String> refused = new ArrayList<>();
        List<String> imported = offline.importEntries(EntryJson.bundle(bundle), refused);
        assertEquals(List.of(), refused);
        assertEquals(7, imported.size(), imported.toString()); // 2 TCB Infos, 2 QE Identities, 2 PCK CRLs, the root CRL
        offline.forQuote(PcsVectors.sgx().quote());
        offline.forQuote(PcsVectors.tdx().quote());
        // after the collateral's nextUpdate, an import is refused piece by piece
        clock.set(Instant.parse("2025-08-01T00:00:00Z"));
        refused.clear();
        Path late = Files.createTempDirectory(dir, "late");
        new CollateralService(
                        new CollateralStore(late),
                        List.of(),
                        CollateralChecks.pinned(),
                        clock,
                        CollateralService.Settings.defaults())
                .importEntries(EntryJson.bundle(bundle), refused);
        assertEquals(6, refused.size(), refused.toString()); // only the root CRL (to 2026) is still current
        assertTrue(refused.getFirst().contains("not at 2025-08-01T00:00:00Z"), refused.getFirst());
        assertEquals(
                Tee.SGX,
                ((CollateralKey.IntelTcbInfo) EntryJson.bundle(bundle).stream()
                                .filter(x -> x.key() instanceof CollateralKey.IntelTcbInfo)
                                .findFirst()
                                .orElseThrow()
                                .key())
                        .tee());
    }
}
