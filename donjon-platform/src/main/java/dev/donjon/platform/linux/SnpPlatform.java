package dev.donjon.platform.linux;

import dev.donjon.platform.Backend;
import dev.donjon.platform.Check;
import dev.donjon.platform.Evidence;
import dev.donjon.platform.Platform;
import dev.donjon.platform.PlatformException;
import dev.donjon.platform.PlatformInfo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * AMD SEV-SNP: the JVM runs in an SNP confidential VM and asks the AMD secure processor for a report through
 * configfs-tsm (provider {@code sev_guest}). The older {@code /dev/sev-guest} device is detected but not used: its
 * SNP_GET_REPORT ioctl cannot be issued from Java without native code, which Donjon does not ship.
 */
public final class SnpPlatform implements Platform {

    static final String PROVIDER = "sev_guest";

    private final ConfigfsTsm tsm;
    private final Path sevGuest;
    private final Path cpuinfo;

    public SnpPlatform(Path tsmReportRoot, Path sevGuestDevice, Path cpuinfo, AttributeFiles files) {
        this.tsm = new ConfigfsTsm(tsmReportRoot, files);
        this.sevGuest = sevGuestDevice;
        this.cpuinfo = cpuinfo;
    }

    @Override
    public Backend backend() { return Backend.SNP; }

    @Override
    public PlatformInfo info() {
        List<Check> checks = new ArrayList<>();
        // configfs-tsm decides; the legacy device and the CPU lines explain (the first failing check is the reason shown)
        Check configfs = tsm.check(PROVIDER);
        checks.add(configfs);
        boolean usable = GuestChecks.allOk(configfs);
        if (!usable) checks.add(GuestChecks.ioctlDevice(sevGuest));
        checks.add(GuestChecks.cpu(cpuinfo, "AuthenticAMD", "sev_snp", "SEV-SNP guest"));
        return new PlatformInfo(Backend.SNP, usable, false, checks);
    }

    @Override
    public Evidence attest(byte[] reportData) throws PlatformException {
        Platform.checkReportData(reportData);
        if (!tsm.present()) throw GuestChecks.noConfigfs(tsm.root(), sevGuest);
        ConfigfsTsm.Report r = tsm.report(reportData, PROVIDER);
        ReportDataEcho.snp(r.outblob(), reportData);
        SnpCertificateTable certs = r.auxblob().isPresent() ? SnpCertificateTable.parse(r.auxblob().get())
                : new SnpCertificateTable(java.util.Optional.empty(), List.of());
        return new Evidence.SnpReport(Backend.SNP, r.outblob(), certs.vcek(), certs.caCerts());
    }
}
