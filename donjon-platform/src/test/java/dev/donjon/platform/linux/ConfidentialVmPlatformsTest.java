package dev.donjon.platform.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.donjon.abi.ReportData;
import dev.donjon.abi.csr.EvidenceOids;
import dev.donjon.platform.Backend;
import dev.donjon.platform.Evidence;
import dev.donjon.platform.PlatformException;
import dev.donjon.platform.PlatformInfo;
import dev.donjon.platform.identity.CachedCollateral;
import dev.donjon.platform.identity.KeepIdentity;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** snp and tdx through a configfs-tsm tree, fed with real evidence from ../shared/vectors. */
class ConfidentialVmPlatformsTest {

    static final Path VECTORS = Path.of(System.getProperty("donjon.shared", "../../shared"), "vectors");

    @TempDir
    Path tmp;

    Path root;
    Path device;
    Path cpuinfo;
    FakeKernel kernel = new FakeKernel();

    @BeforeEach
    void tree() throws Exception {
        root = Files.createDirectories(tmp.resolve("sys/kernel/config/tsm/report"));
        device = tmp.resolve("dev/sev-guest");
        cpuinfo = tmp.resolve("proc/cpuinfo");
        Files.createDirectories(cpuinfo.getParent());
        Files.writeString(cpuinfo, "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu sev sev_es sev_snp\n");
        var tsm = new ObjectMapper()
                .readTree(
                        VECTORS.resolve("snp/go-sev-guest/attestation.tsm.json").toFile());
        kernel.seeded = Base64.getUrlDecoder().decode(tsm.get("outblob").asText());
        kernel.auxblob = Base64.getUrlDecoder().decode(tsm.get("auxblob").asText());
    }

    private SnpPlatform snp() {
        return new SnpPlatform(root, device, cpuinfo, kernel);
    }

    private static byte[] random64() {
        byte[] b = new byte[64];
        new SecureRandom().nextBytes(b);
        return b;
    }

    @Test
    void snpReportThroughConfigfsWithTheHostsCertificates() throws Exception {
        PlatformInfo info = snp().info();
        assertTrue(info.usable(), info.toString());
        assertEquals("sev_guest", info.checks().get(0).children().getFirst().detail());
        byte[] data = random64();
        Evidence.SnpReport e = assertInstanceOf(Evidence.SnpReport.class, snp().attest(data));
        assertEquals(Backend.SNP, e.backend());
        assertFalse(e.simulated());
        assertArrayEquals(data, Arrays.copyOfRange(e.report(), 0x50, 0x90));
        assertArrayEquals(
                Files.readAllBytes(VECTORS.resolve("snp/go-sev-guest/vcek.testcer")),
                e.vcek().orElseThrow());
        assertEquals(2, e.caCerts().size(), "ASK and ARK from the auxblob");
        try (var left = Files.list(root)) {
            assertEquals(0, left.count(), "report entries are removed");
        }
        assertEquals(2, kernel.entriesCreated, "one throw-away entry for info, one for the report");
    }

    @Test
    void snpKeepCsrCarriesTheHostsVcekAndBindsTheKey() throws Exception {
        KeepIdentity id = KeepIdentity.create(snp(), CachedCollateral.none());
        PKCS10CertificationRequest csr = new PKCS10CertificationRequest(id.csr());
        Extensions exts = Extensions.getInstance(csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)[0]
                .getAttrValues()
                .getObjectAt(0));
        var ext = exts.getExtension(EvidenceOids.SNP);
        ASN1Sequence endorsements = ASN1Sequence.getInstance(
                ASN1Sequence.getInstance(ext.getExtnValue().getOctets()).getObjectAt(0));
        assertArrayEquals(
                Files.readAllBytes(VECTORS.resolve("snp/go-sev-guest/vcek.testcer")),
                endorsements.getObjectAt(0).toASN1Primitive().getEncoded());
        byte[] report = ((Evidence.SnpReport) id.evidence()).report();
        assertArrayEquals(
                ReportData.ofPublicKey(
                        Backend.SNP.reportDataHash(),
                        csr.getSubjectPublicKeyInfo().getEncoded()),
                Arrays.copyOfRange(report, 0x50, 0x90));
    }

    @Test
    void wrongProviderIsNotUsable() throws Exception {
        kernel.provider = "tdx_guest";
        PlatformInfo info = snp().info();
        assertFalse(info.usable());
        assertEquals(
                "tdx_guest, not sev_guest",
                info.checks().get(0).children().getFirst().detail());
        PlatformException e = assertThrows(PlatformException.class, () -> snp().attest(random64()));
        assertEquals("configfs-tsm provider is 'tdx_guest', not sev_guest", e.getMessage());
    }

    @Test
    void withoutConfigfsAndWithoutTheDeviceSnpIsNotUsable() throws Exception {
        Files.delete(root);
        PlatformInfo absent = snp().info();
        assertFalse(absent.usable());
        assertEquals(
                device + ": absent",
                absent.checks().get(1).name() + ": " + absent.checks().get(1).detail());
        PlatformException e = assertThrows(PlatformException.class, () -> snp().attest(random64()));
        assertEquals(
                "configfs-tsm (" + root + ") is absent and so is " + device
                        + ": not inside a confidential VM, or a kernel too old",
                e.getMessage());
    }

    @Test
    void withoutConfigfsTheSevGuestDeviceIsUsedWithTheHostsCertificates() throws Exception {
        Files.delete(root);
        Files.createDirectories(device.getParent());
        Files.createFile(device);
        FakeSevGuestKernel sevGuest = new FakeSevGuestKernel();
        sevGuest.report = kernel.seeded;
        sevGuest.certificateTable = kernel.auxblob;
        try (Arena arena = Arena.ofConfined()) {
            var ioctl = sevGuest.ioctl(arena);
            SnpPlatform snp = new SnpPlatform(root, new SevGuestDevice(device, () -> ioctl), cpuinfo, kernel);
            PlatformInfo info = snp.info();
            assertTrue(info.usable(), info.toString());
            assertEquals(
                    device + ": in use: SNP_GET_EXT_REPORT ioctl (configfs-tsm absent)",
                    info.checks().get(1).name() + ": " + info.checks().get(1).detail());
            assertTrue(info.checks().get(1).ok());
            assertTrue(sevGuest.requests.isEmpty(), "info does not ask the firmware");
            byte[] data = random64();
            Evidence.SnpReport e = assertInstanceOf(Evidence.SnpReport.class, snp.attest(data));
            assertArrayEquals(data, Arrays.copyOfRange(e.report(), 0x50, 0x90));
            assertArrayEquals(
                    Files.readAllBytes(VECTORS.resolve("snp/go-sev-guest/vcek.testcer")),
                    e.vcek().orElseThrow());
            assertEquals(2, e.caCerts().size(), "ASK and ARK from the certificate table");
            assertEquals(0, kernel.entriesCreated, "configfs-tsm is not touched when absent");
            sevGuest.fwError = 0x16;
            PlatformException refused = assertThrows(PlatformException.class, () -> snp.attest(random64()));
            assertTrue(
                    refused.getMessage().startsWith("SNP_GET_EXT_REPORT on " + device + " failed: EIO"),
                    refused.getMessage());
            assertNull(sevGuest.failure);
        }
    }

    @Test
    void withoutConfigfsTheTdxGuestDeviceIsNamedButNotUsed() throws Exception {
        Files.delete(root);
        Path tdxDevice = tmp.resolve("dev/tdx_guest");
        Files.createDirectories(tdxDevice.getParent());
        Files.createFile(tdxDevice);
        TdxPlatform tdx = new TdxPlatform(root, tdxDevice, cpuinfo, kernel);
        PlatformInfo info = tdx.info();
        assertFalse(info.usable());
        assertTrue(info.checks().get(1).detail().contains("TDX quotes only through configfs-tsm"), info.toString());
        PlatformException e = assertThrows(PlatformException.class, () -> tdx.attest(random64()));
        assertTrue(e.getMessage().contains(tdxDevice + " is not used"), e.getMessage());
    }

    @Test
    void evidenceForOtherReportDataOrARacedEntryIsRefused() throws Exception {
        kernel.echo = false;
        PlatformException e = assertThrows(PlatformException.class, () -> snp().attest(random64()));
        assertTrue(e.getMessage().contains("other report data than requested"), e.getMessage());
        kernel.echo = true;
        kernel.raced = true;
        e = assertThrows(PlatformException.class, () -> snp().attest(random64()));
        assertTrue(e.getMessage().contains("was written by someone else"), e.getMessage());
    }

    @Test
    void cpuChecksAreShownButDoNotDecide() throws Exception {
        Files.writeString(cpuinfo, "vendor_id\t: GenuineIntel\nflags\t\t: fpu tdx_guest\n");
        PlatformInfo info = snp().info();
        assertFalse(info.checks().getLast().ok());
        assertEquals("GenuineIntel, not AuthenticAMD", info.checks().getLast().detail());
        assertTrue(info.usable(), "configfs-tsm with provider sev_guest is what counts");
    }

    @Test
    void tdxQuoteThroughConfigfs() throws Exception {
        kernel.provider = "tdx_guest";
        kernel.seeded = Files.readAllBytes(VECTORS.resolve("tdx/dcap-qvl/tdx_quote"));
        kernel.reportDataOffset = 48 + 520;
        kernel.auxblob = null;
        Files.writeString(cpuinfo, "vendor_id\t: GenuineIntel\nflags\t\t: fpu tdx_guest\n");
        TdxPlatform tdx = new TdxPlatform(root, tmp.resolve("dev/tdx_guest"), cpuinfo, kernel);
        PlatformInfo info = tdx.info();
        assertTrue(info.usable(), info.toString());
        assertTrue(info.checks().getLast().ok());
        byte[] data = random64();
        Evidence.IntelQuote q = assertInstanceOf(Evidence.IntelQuote.class, tdx.attest(data));
        assertEquals(Backend.TDX, q.backend());
        assertArrayEquals(data, Arrays.copyOfRange(q.quote(), 568, 632));
        // the same tree answers sev_guest only for the snp backend
        assertFalse(snp().info().usable());
    }
}
