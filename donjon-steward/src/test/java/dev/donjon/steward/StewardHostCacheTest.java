package dev.donjon.steward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.abi.csr.EvidenceExtension;
import dev.donjon.attestation.intel.PcsCollateral;
import dev.donjon.collateral.CollateralChecks;
import dev.donjon.collateral.CollateralService;
import dev.donjon.collateral.CollateralStore;
import dev.donjon.collateral.CollateralUnavailableException;
import dev.donjon.collateral.HostCache;
import dev.donjon.collateral.PcsClient;
import dev.donjon.platform.Backend;
import dev.donjon.platform.Evidence;
import dev.donjon.platform.PlatformException;
import dev.donjon.platform.identity.CachedCollateral;
import dev.donjon.testing.FakePcs;
import dev.donjon.testing.PcsVectors;
import dev.donjon.testing.SettableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host's collateral files, written from the verified cache ({@link HostCache}), are what an SGX Keep copies into its
 * CSR (Enarx's format: CRLs and a TCB package), and a Steward without a cache of its own judges the real quote with them.
 */
class StewardHostCacheTest {

    private static FakePcs pcs;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        pcs = FakePcs.start();
    }

    @AfterAll
    static void stop() {
        pcs.close();
    }

    private CollateralService collateral(SettableClock clock) {
        return new CollateralService(
                new CollateralStore(dir.resolve("cache")),
                List.of(PcsClient.of(pcs.baseUri(), Optional.of(pcs.clientTls()))),
                CollateralChecks.pinned(),
                clock,
                CollateralService.Settings.defaults());
    }

    @Test
    void anSgxKeepsCsrFromTheHostCacheIsJudgedWithItsTcbInfoAndCrls() throws Exception {
        pcs.mode(FakePcs.Mode.SERVE);
        SettableClock clock = new SettableClock(PcsVectors.MID_JULY_2025);
        PcsVectors v = PcsVectors.sgx();
        Path intel = dir.resolve("intel-sgx");
        Path amd = dir.resolve("amd-sev");
        // without the files, an SGX Keep cannot make an Enarx-compatible CSR
        PlatformException none = assertThrows(
                PlatformException.class,
                () -> CachedCollateral.read(amd, intel)
                        .evidenceExtension(new Evidence.IntelQuote(Backend.SGX, v.quote())));
        assertTrue(none.getMessage().startsWith("no Intel CRLs cached"), none.getMessage());

        List<HostCache.Written> written = new HostCache(collateral(clock))
                .writeIntel(intel, Optional.of(v.fmspc()), Optional.empty(), List.of(PcsCollateral.PckCa.PROCESSOR));
        assertEquals(
                List.of(intel.resolve("crls.der"), intel.resolve("tcb.der")),
                written.stream().map(HostCache.Written::file).toList());
        assertEquals(
                List.of("Intel SGX Root CA CRL", "PCK CRL of 'Intel SGX PCK Processor CA'"),
                written.getFirst().pieces());
        assertEquals(Instant.parse("2025-07-19T10:56:11Z"), written.get(1).validUntil());
        assertEquals(
                "rw-r--r--",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(intel.resolve("tcb.der"))),
                "Keeps of any user read it");

        EvidenceExtension ext =
                CachedCollateral.read(amd, intel).evidenceExtension(new Evidence.IntelQuote(Backend.SGX, v.quote()));
        Steward steward = new Steward(new Steward.Config(
                CertificateAuthority.generate(clock.instant()),
                TestCsrs.stewardToml(),
                TrustAnchors.bundled(),
                clock,
                Steward.Config.DEFAULT_VALIDITY,
                List.of()));
        var r = assertInstanceOf(Enrollment.NoAttestation.class, steward.enroll(TestCsrs.csr(ext.toExtension())));
        // the quote, its TCB Info and CRLs verified: only the binding to this CSR's key is missing (the vector's quote
        // is not ours)
        assertEquals("binding", r.cause(), r.reason());
    }

    @Test
    void expiredCollateralIsNeverWrittenForKeeps() throws Exception {
        pcs.mode(FakePcs.Mode.SERVE);
        SettableClock clock = new SettableClock(Instant.parse("2025-07-25T00:00:00Z"));
        Path intel = dir.resolve("intel-sgx");
        CollateralUnavailableException e = assertThrows(
                CollateralUnavailableException.class,
                () -> new HostCache(collateral(clock))
                        .writeIntel(
                                intel,
                                Optional.of(PcsVectors.sgx().fmspc()),
                                Optional.empty(),
                                List.of(PcsCollateral.PckCa.PROCESSOR)));
        assertTrue(
                e.getMessage().contains("Intel SGX Root CA CRL")
                        || e.getMessage().contains("PCK CRL"),
                e.getMessage());
        assertTrue(Files.notExists(intel.resolve("crls.der")) && Files.notExists(intel.resolve("tcb.der")));
    }
}
