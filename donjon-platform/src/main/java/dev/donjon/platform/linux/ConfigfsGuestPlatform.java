package dev.donjon.platform.linux;

import dev.donjon.platform.Check;
import dev.donjon.platform.Evidence;
import dev.donjon.platform.Platform;
import dev.donjon.platform.PlatformException;
import dev.donjon.platform.PlatformInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A confidential-VM backend reached through configfs-tsm: usable exactly when an entry's provider is the expected one.
 * Where configfs-tsm is absent (a guest kernel older than 6.7), the backend's legacy guest device decides instead:
 * {@link SnpPlatform} can use {@code /dev/sev-guest}; {@link TdxPlatform} only names {@code /dev/tdx_guest}. The CPU
 * lines are shown to explain, not to decide; configfs-tsm comes first so that it is the reason given when the backend
 * is not usable.
 */
abstract sealed class ConfigfsGuestPlatform implements Platform permits SnpPlatform, TdxPlatform {

    /** @param guestFlag the /proc/cpuinfo flag a guest kernel of this kind shows; {@code guestName} names it */
    record Kind(String provider, String vendor, String guestFlag, String guestName) {}

    private final Kind kind;
    private final ConfigfsTsm tsm;
    private final Path cpuinfo;

    ConfigfsGuestPlatform(Kind kind, Path tsmReportRoot, Path cpuinfo, AttributeFiles files) {
        this.kind = kind;
        this.tsm = new ConfigfsTsm(tsmReportRoot, files);
        this.cpuinfo = cpuinfo;
    }

    /** Checks the outblob/auxblob the kernel returned for {@code reportData} and makes the evidence of them. */
    abstract Evidence evidence(ConfigfsTsm.Report report, byte[] reportData) throws PlatformException;

    /** The check line of the legacy guest device, shown when configfs-tsm is absent; passing means it is used. */
    abstract Check legacyDeviceCheck();

    /** Evidence through the legacy guest device, asked for only when configfs-tsm is absent. */
    abstract Evidence legacyDeviceEvidence(Path configfsRoot, byte[] reportData) throws PlatformException;

    @Override
    public final PlatformInfo info() {
        List<Check> checks = new ArrayList<>();
        Check configfs = tsm.check(kind.provider());
        checks.add(configfs);
        boolean usable;
        if (tsm.present()) {
            usable = GuestChecks.allOk(configfs);
        } else {
            Check legacy = legacyDeviceCheck();
            checks.add(legacy);
            usable = GuestChecks.allOk(legacy);
        }
        checks.add(GuestChecks.cpu(cpuinfo, kind.vendor(), kind.guestFlag(), kind.guestName()));
        return new PlatformInfo(backend(), usable, false, checks);
    }

    @Override
    public final Evidence attest(byte[] reportData) throws PlatformException {
        Platform.checkReportData(reportData);
        if (!tsm.present()) return legacyDeviceEvidence(tsm.root(), reportData);
        return evidence(tsm.report(reportData, kind.provider()), reportData);
    }
}
