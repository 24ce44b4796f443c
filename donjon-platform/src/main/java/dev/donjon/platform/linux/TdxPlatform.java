package dev.donjon.platform.linux;

import dev.donjon.platform.Backend;
import dev.donjon.platform.Evidence;
import dev.donjon.platform.PlatformException;

import java.nio.file.Path;

/**
 * Intel TDX: the JVM runs in a trust domain and gets a DCAP quote through configfs-tsm (provider {@code tdx_guest};
 * the kernel has the host's quoting enclave sign the TD report). {@code /dev/tdx_guest} is detected but, like
 * {@code /dev/sev-guest}, needs ioctls Donjon cannot issue without native code.
 */
public final class TdxPlatform extends ConfigfsGuestPlatform {

    private static final Kind KIND = new Kind("tdx_guest", "GenuineIntel", "tdx_guest", "TDX guest");

    public TdxPlatform(Path tsmReportRoot, Path tdxGuestDevice, Path cpuinfo, AttributeFiles files) {
        super(KIND, tsmReportRoot, tdxGuestDevice, cpuinfo, files);
    }

    @Override
    public Backend backend() { return Backend.TDX; }

    @Override
    Evidence evidence(ConfigfsTsm.Report r, byte[] reportData) throws PlatformException {
        ReportDataEcho.intel(r.outblob(), reportData, true);
        return new Evidence.IntelQuote(Backend.TDX, r.outblob());
    }
}
