package dev.donjon.platform.linux;

import dev.donjon.platform.Backend;
import dev.donjon.platform.Check;
import dev.donjon.platform.Evidence;
import dev.donjon.platform.PlatformException;
import java.nio.file.Path;

/**
 * Intel TDX: the JVM runs in a trust domain and gets a DCAP quote through configfs-tsm (provider {@code tdx_guest};
 * the kernel has the host's quoting enclave sign the TD report). {@code /dev/tdx_guest} is detected and named, not
 * used: upstream Linux gives TDX quotes only through configfs-tsm; the device's TDX_CMD_GET_REPORT0 ioctl gives the
 * TD report alone, which becomes a quote only through the host's quoting service, a channel Donjon does not implement.
 */
public final class TdxPlatform extends ConfigfsGuestPlatform {

    private static final Kind KIND = new Kind("tdx_guest", "GenuineIntel", "tdx_guest", "TDX guest");

    private final Path device;

    public TdxPlatform(Path tsmReportRoot, Path tdxGuestDevice, Path cpuinfo, AttributeFiles files) {
        super(KIND, tsmReportRoot, cpuinfo, files);
        this.device = tdxGuestDevice;
    }

    @Override
    public Backend backend() {
        return Backend.TDX;
    }

    @Override
    Evidence evidence(ConfigfsTsm.Report r, byte[] reportData) throws PlatformException {
        ReportDataEcho.intel(r.outblob(), reportData, true);
        return new Evidence.IntelQuote(Backend.TDX, r.outblob());
    }

    @Override
    Check legacyDeviceCheck() {
        return GuestChecks.tdxGuestDevice(device);
    }

    @Override
    Evidence legacyDeviceEvidence(Path configfsRoot, byte[] reportData) throws PlatformException {
        throw GuestChecks.noConfigfs(
                configfsRoot,
                device,
                "is not used (Donjon gets TDX quotes only through configfs-tsm); "
                        + "use a guest kernel 6.7+ with configfs-tsm");
    }
}
