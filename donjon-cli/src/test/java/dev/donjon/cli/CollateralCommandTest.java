package dev.donjon.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.testing.FakePcs;
import dev.donjon.testing.PcsVectors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code donjon collateral fetch|show|export|import} against a local server that serves the real collateral as Intel's PCS does. */
class CollateralCommandTest {

    private static final String NOW = "2025-07-10T00:00:00Z";
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

    private Path pcsCa() throws Exception {
        Path ca = dir.resolve("pcs-ca.pem");
        Files.writeString(
                ca,
                "-----BEGIN CERTIFICATE-----\n"
                        + Base64.getMimeEncoder()
                                .encodeToString(pcs.certificate().getEncoded()) + "\n-----END CERTIFICATE-----\n");
        return ca;
    }

    @Test
    void fetchShowExportAndImportOnAnOfflineMachine() throws Exception {
        Path cache = dir.resolve("cache");
        Path quote = PcsVectors.vectors().resolve("tdx/dcap-qvl/tdx_quote");
        var fetch = AttestationCommandTest.run(
                "collateral",
                "fetch",
                "--quote",
                quote.toString(),
                "--sgx",
                "00A067110000",
                "--pcs",
                pcs.baseUri().toString(),
                "--pcs-ca",
                pcsCa().toString(),
                "--collateral-cache",
                cache.toString(),
                "--now",
                NOW);
        assertEquals(0, fetch.exit(), fetch.out() + fetch.err());
        assertTrue(
                fetch.out()
                        .contains("TDX TCB Info for FMSPC b0c06f000000: valid until 2025-07-19T10:16:03Z (from "
                                + pcs.baseUri() + "/tdx/certification/v4/tcb?fmspc=B0C06F000000)"),
                fetch.out());
        assertTrue(
                fetch.out().contains("SGX TCB Info for FMSPC 00a067110000: valid until 2025-07-19T10:56:11Z"),
                fetch.out());
        assertTrue(fetch.out().contains("Intel SGX Root CA CRL: valid until 2026-04-03T11:21:57Z"), fetch.out());

        var show =
                AttestationCommandTest.run("collateral", "show", "--collateral-cache", cache.toString(), "--now", NOW);
        assertEquals(0, show.exit(), show.out() + show.err());
        assertTrue(
                show.out()
                        .contains("intel-tdx-qe  TDX QE Identity  valid 2025-06-19T10:32:27Z .. 2025-07-19T10:32:27Z"),
                show.out());
        var late = AttestationCommandTest.run(
                "collateral", "show", "--collateral-cache", cache.toString(), "--now", "2025-08-01T00:00:00Z");
        assertEquals(1, late.exit(), late.out());
        assertTrue(
                late.out()
                        .contains(
                                "intel-tdx-qe  TDX QE Identity  NOT USABLE: TDX QE Identity (TD_QE) is valid 2025-06-19T10:32:27Z .. 2025-07-19T10:32:27Z, not at 2025-08-01T00:00:00Z"),
                late.out());

        Path bundle = dir.resolve("bundle.json");
        var export = AttestationCommandTest.run(
                "collateral", "export", "--out", bundle.toString(), "--collateral-cache", cache.toString());
        assertEquals(0, export.exit(), export.err());
        assertEquals("exported 7 pieces to " + bundle, export.out().strip());

        Path offline = dir.resolve("offline");
        var imp = AttestationCommandTest.run(
                "collateral", "import", bundle.toString(), "--collateral-cache", offline.toString(), "--now", NOW);
        assertEquals(0, imp.exit(), imp.out() + imp.err());
        assertEquals(7, imp.out().strip().lines().count(), imp.out());
        // an altered bundle is refused piece by piece, naming why
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, Files.readString(bundle).replaceFirst("\"body\" : \"ey", "\"body\" : \"eX"));
        var refused = AttestationCommandTest.run(
                "collateral",
                "import",
                bad.toString(),
                "--collateral-cache",
                dir.resolve("other").toString(),
                "--now",
                NOW);
        assertEquals(1, refused.exit(), refused.out() + refused.err());
        assertTrue(refused.err().startsWith("donjon: refused "), refused.err());
    }

    @Test
    void hostCacheWritesTheFilesKeepsPutInTheirCsrs() throws Exception {
        Path cache = dir.resolve("cache");
        Path intel = dir.resolve("intel-sgx");
        var written = AttestationCommandTest.run(
                "collateral",
                "host-cache",
                "--quote",
                PcsVectors.vectors().resolve("sgx/dcap-qvl/sgx_quote").toString(),
                "--tdx",
                "B0C06F000000",
                "--intel-dir",
                intel.toString(),
                "--pcs",
                pcs.baseUri().toString(),
                "--pcs-ca",
                pcsCa().toString(),
                "--collateral-cache",
                cache.toString(),
                "--now",
                NOW);
        assertEquals(0, written.exit(), written.out() + written.err());
        assertEquals(
                List.of(
                        "wrote " + intel.resolve("crls.der")
                                + ": Intel SGX Root CA CRL, PCK CRL of 'Intel SGX PCK Processor CA'; valid until 2025-07-19T10:23:18Z",
                        "wrote " + intel.resolve("tcb.der")
                                + ": SGX TCB Info for FMSPC 00a067110000; valid until 2025-07-19T10:56:11Z",
                        "wrote " + intel.resolve("tdx-tcb.der")
                                + ": TDX TCB Info for FMSPC b0c06f000000; valid until 2025-07-19T10:16:03Z"),
                written.out().strip().lines().toList());
        // what a Keep of this host reads (donjon-platform's CachedCollateral) is the verified collateral, byte for byte
        var files = dev.donjon.platform.identity.CachedCollateral.read(dir.resolve("no-amd"), intel);
        var tcb = dev.donjon.abi.csr.EvidenceExtension.parseTcbPackage(
                files.sgxTcb().orElseThrow(), "SGX");
        assertArrayEquals(PcsVectors.sgx().tcbInfo(), tcb.tcbInfo());
        assertEquals(
                2,
                dev.donjon.abi.csr.EvidenceExtension.parseCrlList(
                                files.intelCrls().orElseThrow())
                        .size());

        var offline = AttestationCommandTest.run(
                "collateral",
                "host-cache",
                "--amd",
                "Milan",
                "--amd-dir",
                dir.resolve("amd").toString(),
                "--offline-collateral",
                "--collateral-cache",
                cache.toString(),
                "--now",
                NOW);
        assertEquals(1, offline.exit(), offline.out());
        assertEquals(
                "donjon: no AMD Milan CRL in the collateral cache " + cache
                        + " (offline: fetch it with `donjon collateral fetch` or import a bundle)",
                offline.err().strip());
        var twice = AttestationCommandTest.run(
                "collateral",
                "host-cache",
                "--quote",
                PcsVectors.vectors().resolve("sgx/dcap-qvl/sgx_quote").toString(),
                "--sgx",
                "00A067110000",
                "--collateral-cache",
                cache.toString());
        assertEquals(2, twice.exit());
        assertEquals(
                "donjon: --quote already names this host's sgx FMSPC (00a067110000)",
                twice.err().strip());
        var nothing = AttestationCommandTest.run("collateral", "host-cache", "--collateral-cache", cache.toString());
        assertEquals(2, nothing.exit());
        assertEquals(
                "donjon: name this host's platform: --quote, --sgx, --tdx or --amd",
                nothing.err().strip());
    }

    @Test
    void badInputIsOneLineAndANonZeroExit() throws Exception {
        var none = AttestationCommandTest.run("collateral", "fetch", "--collateral-cache", dir.toString());
        assertEquals(2, none.exit());
        assertEquals(
                "donjon: name what to fetch: --quote, --sgx, --tdx or --amd",
                none.err().strip());
        var product = AttestationCommandTest.run(
                "collateral", "fetch", "--amd", "Naples", "--collateral-cache", dir.toString());
        assertEquals(2, product.exit());
        assertEquals(
                "donjon: --amd: 'Naples' is not Milan, Genoa or Turin",
                product.err().strip());
        var fmspc =
                AttestationCommandTest.run("collateral", "fetch", "--sgx", "xyz", "--collateral-cache", dir.toString());
        assertEquals(2, fmspc.exit());
        assertEquals(
                "donjon: FMSPC must be 12 hex digits, not 'xyz'", fmspc.err().strip());
        Path notBundle = Files.writeString(dir.resolve("x.json"), "{}", StandardCharsets.UTF_8);
        var imp = AttestationCommandTest.run(
                "collateral",
                "import",
                notBundle.toString(),
                "--collateral-cache",
                dir.resolve("c").toString());
        assertEquals(1, imp.exit());
        assertEquals(
                "donjon: " + notBundle
                        + ": not a Donjon collateral bundle (no \"format\": \"donjon-collateral-bundle\")",
                imp.err().strip());
        var unreachable = AttestationCommandTest.run(
                "collateral",
                "fetch",
                "--sgx",
                "00a067110000",
                "--pcs",
                "https://127.0.0.1:1",
                "--collateral-cache",
                dir.resolve("d").toString(),
                "--now",
                NOW);
        assertEquals(1, unreachable.exit());
        assertTrue(
                unreachable
                        .err()
                        .startsWith(
                                "donjon: no SGX TCB Info for FMSPC 00a067110000 in the collateral cache "
                                        + dir.resolve("d")
                                        + " and https://127.0.0.1:1 cannot supply it: https://127.0.0.1:1/sgx/certification/v4/tcb?fmspc=00A067110000: connection refused"),
                unreachable.err());
    }
}
