package dev.donjon.platform.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.donjon.platform.Backend;
import dev.donjon.platform.Evidence;
import dev.donjon.platform.PlatformException;
import dev.donjon.platform.identity.CachedCollateral;
import dev.donjon.platform.identity.KeepIdentity;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** VCEK URLs as AMD KDS names them, and fetching against a loopback stand-in for kdsintf.amd.com. */
class AmdKdsTest {

    static final String CHIP =
            "3ac3fe21e13fb0990eb28a802e3fb6a29483a6b0753590c951bdd3b8e53786184ca39e359669a2b76a1936776b564ea464cdce40c05f63c9b610c5068b006b5d";

    byte[] report;
    byte[] vcek;
    HttpServer kds;
    final List<String> asked = new ArrayList<>();
    /** A KDS (or a man in the middle) that answers every chip with the same certificate. */
    volatile boolean serveAnything;

    @BeforeEach
    void realReportAndItsVcek() throws Exception {
        report = Files.readAllBytes(ConfidentialVmPlatformsTest.VECTORS.resolve("snp/go-sev-guest/attestation.bin"));
        vcek = Files.readAllBytes(ConfidentialVmPlatformsTest.VECTORS.resolve("snp/go-sev-guest/vcek.testcer"));
        kds = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        kds.createContext("/vcek/v1/", ex -> {
            asked.add(ex.getRequestURI().toString());
            boolean known = serveAnything || ex.getRequestURI().getPath().endsWith("/" + CHIP);
            byte[] body = known ? vcek : "not found".getBytes();
            ex.sendResponseHeaders(known ? 200 : 404, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        kds.start();
    }

    @AfterEach
    void stop() {
        kds.stop(0);
    }

    private AmdKds local() {
        return new AmdKds(URI.create("http://127.0.0.1:" + kds.getAddress().getPort()), HttpClient.newHttpClient());
    }

    @Test
    void urlNamesProductChipAndTheReportedTcb() throws Exception {
        // go-sev-guest's report: version 2 (no CPUID), REPORTED_TCB 0x4405000000000002 -> bl 2, tee 0, snp 5, ucode 68
        assertEquals(
                "/vcek/v1/Milan/" + CHIP + "?blSPL=2&teeSPL=0&snpSPL=5&ucodeSPL=68",
                AmdKds.vcekPath(report, Optional.of("milan")));
        PlatformException noProduct =
                assertThrows(PlatformException.class, () -> AmdKds.vcekPath(report, Optional.empty()));
        assertTrue(noProduct.getMessage().contains("give Milan, Genoa or Turin"), noProduct.getMessage());
        assertThrows(PlatformException.class, () -> AmdKds.vcekPath(report, Optional.of("Naples")));
    }

    @Test
    void cpuidOfV3ReportsWinsAndTurinUsesItsOwnLayout() throws Exception {
        byte[] turin = report.clone();
        ByteBuffer b = ByteBuffer.wrap(turin).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 3);
        turin[0x188] = 0x1A; // family: Zen 5
        turin[0x189] = 0x02;
        b.putLong(0x180, 0x3900000000010203L); // Turin TCB_VERSION: fmc 3, bl 2, tee 1, snp 0, ucode 0x39
        assertEquals(
                "/vcek/v1/Turin/" + CHIP.substring(0, 16) + "?fmcSPL=3&blSPL=2&teeSPL=1&snpSPL=0&ucodeSPL=57",
                AmdKds.vcekPath(turin, Optional.of("Milan")));
    }

    @Test
    void fetchedVcekMustBeThisChipsAndFeedsTheKeepCsr() throws Exception {
        assertArrayEquals(vcek, local().fetchVcek(report, Optional.of("Milan")));
        assertEquals(List.of("/vcek/v1/Milan/" + CHIP + "?blSPL=2&teeSPL=0&snpSPL=5&ucodeSPL=68"), asked);

        byte[] otherChip = report.clone();
        otherChip[0x1A0] ^= 1;
        PlatformException e =
                assertThrows(PlatformException.class, () -> local().fetchVcek(otherChip, Optional.of("Milan")));
        assertTrue(e.getMessage().startsWith("AMD KDS answered 404"), e.getMessage());
        serveAnything = true;
        e = assertThrows(PlatformException.class, () -> local().fetchVcek(otherChip, Optional.of("Milan")));
        assertEquals(
                "the certificate from AMD KDS is not this chip's VCEK (hwID differs from CHIP_ID)", e.getMessage());
        serveAnything = false;

        // an SNP host that leaves the auxblob empty: the Keep fetches the VCEK and its CSR carries it
        FakeKernel kernel = new FakeKernel();
        kernel.seeded = report;
        var root = Files.createTempDirectory("tsm");
        try {
            SnpPlatform snp = new SnpPlatform(root, root.resolve("none"), root.resolve("none"), kernel);
            Evidence.SnpReport ev = (Evidence.SnpReport) snp.attest(new byte[64]);
            assertFalse(ev.vcek().isPresent());
            assertThrows(PlatformException.class, () -> KeepIdentity.create(snp, CachedCollateral.none()));
            CachedCollateral fetched =
                    CachedCollateral.none().withAmdVcek(local().fetchVcek(ev.report(), Optional.of("Milan")));
            KeepIdentity id = KeepIdentity.create(snp, fetched);
            assertEquals(Backend.SNP, id.backend());
        } finally {
            Files.delete(root);
        }
    }
}
