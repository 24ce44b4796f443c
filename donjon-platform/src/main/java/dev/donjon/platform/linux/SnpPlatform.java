package dev.donjon.platform.linux;

import dev.donjon.platform.Backend;
import dev.donjon.platform.Evidence;
import dev.donjon.platform.PlatformException;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * AMD SEV-SNP: the JVM runs in an SNP confidential VM and asks the AMD secure processor for a report through
 * configfs-tsm (provider {@code sev_guest}); the host's certificate table (VCEK, ASK, ARK) comes in the auxblob. The
 * older {@code /dev/sev-guest} device is detected but not used: its SNP_GET_REPORT ioctl cannot be issued from Java
 * without native code, which Donjon does not ship.
 */
public final class SnpPlatform extends ConfigfsGuestPlatform {

    private static final Kind KIND = new Kind("sev_guest", "AuthenticAMD", "sev_snp", "SEV-SNP guest");

    public SnpPlatform(Path tsmReportRoot, Path sevGuestDevice, Path cpuinfo, AttributeFiles files) {
        super(KIND, tsmReportRoot, sevGuestDevice, cpuinfo, files);
    }

    @Override
    public Backend backend() { return Backend.SNP; }

    @Override
    Evidence evidence(ConfigfsTsm.Report r, byte[] reportData) throws PlatformException {
        ReportDataEcho.snp(r.outblob(), reportData);
        SnpCertificateTable certs = r.auxblob().isPresent() ? SnpCertificateTable.parse(r.auxblob().get())
                : new SnpCertificateTable(Optional.empty(), List.of());
        return new Evidence.SnpReport(Backend.SNP, r.outblob(), certs.vcek(), certs.caCerts());
    }
}
