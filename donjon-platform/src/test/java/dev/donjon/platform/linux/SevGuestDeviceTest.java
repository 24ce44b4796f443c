package dev.donjon.platform.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.donjon.platform.PlatformException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SevGuestDevice}'s real marshalling (structs in native memory, downcall with errno capture, retry) against
 * {@link FakeSevGuestKernel}, an upcall stub fed with a real SNP report and certificate table from ../shared/vectors.
 * The device file is a plain file: libc's open and close run for real, only the ioctl is the stand-in.
 */
class SevGuestDeviceTest {

    @TempDir
    Path tmp;

    Path device;
    Arena arena = Arena.ofShared();
    FakeSevGuestKernel kernel = new FakeSevGuestKernel();
    byte[] table;

    @BeforeEach
    void seed() throws Exception {
        device = Files.createFile(tmp.resolve("sev-guest"));
        var tsm = new ObjectMapper()
                .readTree(ConfidentialVmPlatformsTest.VECTORS
                        .resolve("snp/go-sev-guest/attestation.tsm.json")
                        .toFile());
        kernel.report = Base64.getUrlDecoder().decode(tsm.get("outblob").asText());
        table = Base64.getUrlDecoder().decode(tsm.get("auxblob").asText());
    }

    @AfterEach
    void noFailureInsideTheStub() {
        assertNull(kernel.failure, () -> "the fake kernel failed: " + kernel.failure);
        arena.close();
    }

    private SevGuestDevice device() throws ReflectiveOperationException {
        var ioctl = kernel.ioctl(arena);
        return new SevGuestDevice(device, () -> ioctl);
    }

    private static byte[] random64() {
        byte[] b = new byte[64];
        new SecureRandom().nextBytes(b);
        return b;
    }

    @Test
    void requestNumbersAreTheKernels() {
        assertEquals(32, SevGuestDevice.GUEST_REQUEST.byteSize());
        assertEquals(96, SevGuestDevice.REPORT_REQ.byteSize());
        assertEquals(112, SevGuestDevice.EXT_REPORT_REQ.byteSize());
        assertEquals(0xC0205300L, SevGuestDevice.SNP_GET_REPORT);
        assertEquals(0xC0205302L, SevGuestDevice.SNP_GET_EXT_REPORT);
    }

    @Test
    void reportIsFetchedAndTheUserDataRoundTrips() throws Exception {
        byte[] data = random64();
        SevGuestDevice.Response r = device().report(data);
        assertEquals(1184, r.report().length);
        assertArrayEquals(data, Arrays.copyOfRange(r.report(), 0x50, 0x90));
        assertArrayEquals(Arrays.copyOfRange(kernel.report, 0x90, 0x4A0), Arrays.copyOfRange(r.report(), 0x90, 0x4A0));
        assertTrue(r.certificateTable().isEmpty());
        assertEquals(List.of(0xC0205300L), kernel.requests);
    }

    @Test
    void extendedReportRetriesWithTheLengthTheKernelAsksFor() throws Exception {
        kernel.certificateTable = table; // 4772 bytes: more than the first one-page buffer
        byte[] data = random64();
        SevGuestDevice.Response r = device().extendedReport(data);
        assertArrayEquals(data, Arrays.copyOfRange(r.report(), 0x50, 0x90));
        assertEquals(List.of(4096, 8192), kernel.certsLens);
        byte[] got = r.certificateTable().orElseThrow();
        assertArrayEquals(table, Arrays.copyOf(got, table.length));
        SnpCertificateTable certs = SnpCertificateTable.parse(got);
        assertArrayEquals(
                Files.readAllBytes(ConfidentialVmPlatformsTest.VECTORS.resolve("snp/go-sev-guest/vcek.testcer")),
                certs.vcek().orElseThrow());
        assertEquals(2, certs.caCerts().size());
    }

    @Test
    void aHostWithoutCertificatesGivesTheReportAlone() throws Exception {
        SevGuestDevice.Response r = device().extendedReport(random64());
        assertEquals(List.of(4096), kernel.certsLens);
        assertTrue(r.certificateTable().isEmpty());
    }

    @Test
    void firmwareErrorIsOneLineNamingIt() throws Exception {
        kernel.fwError = 0x16;
        PlatformException e = assertThrows(PlatformException.class, () -> device().report(random64()));
        assertEquals(
                "SNP_GET_REPORT on " + device + " failed: EIO (errno 5), firmware error 0x16 (INVALID_PARAM)",
                e.getMessage());
        kernel.certificateTable = table;
        e = assertThrows(PlatformException.class, () -> device().extendedReport(random64()));
        assertEquals(
                "SNP_GET_EXT_REPORT on " + device + " failed: EIO (errno 5), firmware error 0x16 (INVALID_PARAM)",
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void reportStatusOtherThanSuccessIsRefused() throws Exception {
        kernel.reportStatus = 0x27;
        PlatformException e = assertThrows(PlatformException.class, () -> device().report(random64()));
        assertEquals(
                "the SEV-SNP firmware refused the report request: MSG_REPORT_RSP status 0x27 (INVALID_KEY)",
                e.getMessage());
    }

    @Test
    void aHostThatKeepsAskingForMoreIsRefused() throws Exception {
        kernel.certificateTable = new byte[0x4000 + 1]; // more than the kernel can ever pass
        PlatformException e = assertThrows(PlatformException.class, () -> device().extendedReport(random64()));
        assertEquals(
                "SNP_GET_EXT_REPORT on " + device + " failed: EINVAL (errno 22), "
                        + "firmware error 0xff (no firmware call: the kernel refused the request itself)",
                e.getMessage());
        assertEquals(List.of(4096, 20480), kernel.certsLens);
    }

    @Test
    void libcsOwnIoctlOnAFileThatIsNoDeviceSaysSo() {
        // the production path end to end (libc open, variadic ioctl with errno capture, close) on a plain file:
        // the kernel answers ENOTTY and leaves the request struct alone
        PlatformException e = assertThrows(
                PlatformException.class, () -> SevGuestDevice.of(device).extendedReport(random64()));
        assertEquals("SNP_GET_EXT_REPORT on " + device + " failed: ENOTTY (errno 25)", e.getMessage());
    }

    @Test
    void aMissingDeviceNamesThePathAndErrno() throws Exception {
        Files.delete(device);
        PlatformException e = assertThrows(PlatformException.class, () -> device().report(random64()));
        assertEquals("cannot open " + device + ": ENOENT (errno 2)", e.getMessage());
        assertTrue(kernel.requests.isEmpty());
    }
}
