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
 * Intel TDX: the JVM runs in a trust domain and gets a DCAP quote through configfs-tsm (provider {@code tdx_guest};
 * the kernel has the host's quoting enclave sign the TD report). {@code /dev/tdx_guest} is detected but, like
 * {@code /dev/sev-guest}, needs ioctls Donjon cannot issue without native code.
 */
public final class TdxPlatform implements Platform {

    static final String PROVIDER = "tdx_guest";

    private final ConfigfsTsm tsm;
    private final Path tdxGuest;
    private final Path cpuinfo;

    public TdxPlatform(Path tsmReportRoot, Path tdxGuestDevice, Path cpuinfo, AttributeFiles files) {
        this.tsm = new ConfigfsTsm(tsmReportRoot, files);
        this.tdxGuest = tdxGuestDevice;
        this.cpuinfo = cpuinfo;
    }

    @Override
    public Backend backend() { return Backend.TDX; }

    @Override
    public PlatformInfo info() {
        List<Check> checks = new ArrayList<>();
        // configfs-tsm decides; the legacy device and the CPU lines explain (the first failing check is the reason shown)
        Check configfs = tsm.check(PROVIDER);
        checks.add(configfs);
        boolean usable = GuestChecks.allOk(configfs);
        if (!usable) checks.add(GuestChecks.ioctlDevice(tdxGuest));
        checks.add(GuestChecks.cpu(cpuinfo, "GenuineIntel", "tdx_guest", "TDX guest"));
        return new PlatformInfo(Backend.TDX, usable, false, checks);
    }

    @Override
    public Evidence attest(byte[] reportData) throws PlatformException {
        Platform.checkReportData(reportData);
        if (!tsm.present()) throw GuestChecks.noConfigfs(tsm.root(), tdxGuest);
        ConfigfsTsm.Report r = tsm.report(reportData, PROVIDER);
        ReportDataEcho.intel(r.outblob(), reportData, true);
        return new Evidence.IntelQuote(Backend.TDX, r.outblob());
    }
}
