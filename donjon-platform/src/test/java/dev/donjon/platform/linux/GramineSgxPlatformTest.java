package dev.donjon.platform.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.platform.Backend;
import dev.donjon.platform.Evidence;
import dev.donjon.platform.PlatformException;
import dev.donjon.platform.PlatformInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sgx through a /dev/attestation tree, fed with a real DCAP v3 quote. */
class GramineSgxPlatformTest {

    @TempDir
    Path tmp;

    Path root;
    FakeKernel gramine = new FakeKernel();

    @BeforeEach
    void tree() throws Exception {
        root = Files.createDirectories(tmp.resolve("dev/attestation"));
        Files.writeString(root.resolve("attestation_type"), "dcap");
        Files.write(root.resolve("user_report_data"), new byte[64]);
        Files.write(root.resolve("quote"), new byte[0]);
        gramine.requestFile = "user_report_data";
        gramine.evidenceFile = "quote";
        gramine.seeded = Files.readAllBytes(ConfidentialVmPlatformsTest.VECTORS.resolve("sgx/dcap-qvl/sgx_quote"));
        gramine.reportDataOffset = 48 + 320;
    }

    @Test
    void quoteCarriesTheRequestedReportData() throws Exception {
        GramineSgxPlatform sgx = new GramineSgxPlatform(root, gramine);
        PlatformInfo info = sgx.info();
        assertTrue(info.usable(), info.toString());
        byte[] data = new byte[64];
        Arrays.fill(data, (byte) 7);
        Evidence.IntelQuote q = assertInstanceOf(Evidence.IntelQuote.class, sgx.attest(data));
        assertEquals(Backend.SGX, q.backend());
        assertArrayEquals(data, Arrays.copyOfRange(q.quote(), 368, 432));
    }

    @Test
    void attestationTypeOtherThanDcapIsNotUsable() throws Exception {
        Files.writeString(root.resolve("attestation_type"), "none");
        GramineSgxPlatform sgx = new GramineSgxPlatform(root, gramine);
        assertFalse(sgx.info().usable());
        PlatformException e = assertThrows(PlatformException.class, () -> sgx.attest(new byte[64]));
        assertEquals(
                "Gramine attestation_type none: the Gramine manifest has sgx.remote_attestation = \"none\"",
                e.getMessage());
        Files.writeString(root.resolve("attestation_type"), "epid");
        assertTrue(sgx.info()
                .checks()
                .getFirst()
                .children()
                .getFirst()
                .detail()
                .startsWith("epid: EPID attestation is retired"));
    }

    @Test
    void outsideGramineNothingIsUsable() {
        GramineSgxPlatform sgx = new GramineSgxPlatform(tmp.resolve("nowhere"), gramine);
        PlatformInfo info = sgx.info();
        assertFalse(info.usable());
        assertTrue(info.checks().getFirst().detail().endsWith("not running inside a Gramine SGX enclave"));
        assertThrows(PlatformException.class, () -> sgx.attest(new byte[64]));
    }

    @Test
    void aTdxQuoteFromTheSgxInterfaceIsRefused() throws Exception {
        gramine.seeded = Files.readAllBytes(ConfidentialVmPlatformsTest.VECTORS.resolve("tdx/dcap-qvl/tdx_quote"));
        PlatformException e =
                assertThrows(PlatformException.class, () -> new GramineSgxPlatform(root, gramine).attest(new byte[64]));
        assertEquals("the quote (version 4) is not an SGX quote", e.getMessage());
    }
}
