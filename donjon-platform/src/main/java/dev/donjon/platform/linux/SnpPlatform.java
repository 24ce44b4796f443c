package dev.donjon.platform.linux;

import dev.donjon.platform.Backend;
import dev.donjon.platform.Check;
import dev.donjon.platform.Evidence;
import dev.donjon.platform.PlatformException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * AMD SEV-SNP: the JVM runs in an SNP confidential VM and asks the AMD secure processor for a report through
 * configfs-tsm (provider {@code sev_guest}); the host's certificate table (VCEK, ASK, ARK) comes in the auxblob. On a
 * guest kernel without configfs-tsm, the older {@code /dev/sev-guest} device is used instead: its SNP_GET_EXT_REPORT
 * ioctl is issued through the Foreign Function &amp; Memory API ({@link SevGuestDevice}) and gives the same report and
 * certificate table.
 */
public final class SnpPlatform extends ConfigfsGuestPlatform {

    private static final Kind KIND = new Kind("sev_guest", "AuthenticAMD", "sev_snp", "SEV-SNP guest");

    private final SevGuestDevice device;

    public SnpPlatform(Path tsmReportRoot, Path sevGuestDevice, Path cpuinfo, AttributeFiles files) {
        this(tsmReportRoot, SevGuestDevice.of(sevGuestDevice), cpuinfo, files);
    }

    SnpPlatform(Path tsmReportRoot, SevGuestDevice device, Path cpuinfo, AttributeFiles files) {
        super(KIND, tsmReportRoot, cpuinfo, files);
        this.device = device;
    }

    @Override
    public Backend backend() {
        return Backend.SNP;
    }

    @Override
    Evidence evidence(ConfigfsTsm.Report r, byte[] reportData) throws PlatformException {
        return evidence(r.outblob(), r.auxblob(), reportData);
    }

    @Override
    Check legacyDeviceCheck() {
        return GuestChecks.sevGuestDevice(device.path());
    }

    @Override
    Evidence legacyDeviceEvidence(Path configfsRoot, byte[] reportData) throws PlatformException {
        if (!Files.exists(device.path())) throw GuestChecks.noConfigfs(configfsRoot, device.path(), "");
        SevGuestDevice.Response r = device.extendedReport(reportData);
        return evidence(r.report(), r.certificateTable(), reportData);
    }

    private static Evidence evidence(byte[] report, Optional<byte[]> certificateTable, byte[] reportData)
            throws PlatformException {
        ReportDataEcho.snp(report, reportData);
        SnpCertificateTable certs = certificateTable.isPresent()
                ? SnpCertificateTable.parse(certificateTable.get())
                : new SnpCertificateTable(Optional.empty(), List.of());
        return new Evidence.SnpReport(Backend.SNP, report, certs.vcek(), certs.caCerts());
    }
}
