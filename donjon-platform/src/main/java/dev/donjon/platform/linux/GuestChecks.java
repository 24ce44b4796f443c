package dev.donjon.platform.linux;

import dev.donjon.platform.Check;
import dev.donjon.platform.PlatformException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Check-tree lines shared by the confidential-VM backends. */
final class GuestChecks {

    private GuestChecks() {}

    /** Informational: the vendor and the guest flag the kernel shows; usability is decided by configfs-tsm. */
    static Check cpu(Path cpuinfo, String vendor, String flag, String what) {
        Optional<CpuInfo> cpu = CpuInfo.read(cpuinfo);
        if (cpu.isEmpty()) return Check.fail("CPU", "cannot read " + cpuinfo);
        CpuInfo c = cpu.get();
        Check guest = c.flags().contains(flag)
                ? Check.pass(what, "cpu flag " + flag)
                : Check.fail(what, "cpu flag " + flag + " absent: not running inside such a guest");
        return c.vendor().equals(vendor)
                ? Check.pass("CPU", c.vendor(), guest)
                : Check.fail("CPU", c.vendor() + ", not " + vendor);
    }

    /** /dev/sev-guest where configfs-tsm is absent: used when this process may read and write it. */
    static Check sevGuestDevice(Path device) {
        if (!Files.exists(device)) return Check.fail(device.toString(), "absent");
        if (!Files.isReadable(device) || !Files.isWritable(device)) {
            return Check.fail(
                    device.toString(), "present, but this user cannot open it read-write (usually root only)");
        }
        return Check.pass(device.toString(), "in use: SNP_GET_EXT_REPORT ioctl (configfs-tsm absent)");
    }

    /** /dev/tdx_guest: named, not used (see {@link TdxPlatform}). */
    static Check tdxGuestDevice(Path device) {
        return Files.exists(device)
                ? Check.fail(
                        device.toString(),
                        "present, but Donjon gets TDX quotes only through configfs-tsm; "
                                + "a guest kernel with configfs-tsm (6.7+) is required")
                : Check.fail(device.toString(), "absent");
    }

    static PlatformException noConfigfs(Path root, Path device, String deviceNote) {
        return Files.exists(device)
                ? new PlatformException("configfs-tsm (" + root + ") is absent and " + device + " " + deviceNote)
                : new PlatformException("configfs-tsm (" + root + ") is absent and so is " + device
                        + ": not inside a confidential VM, or a kernel too old");
    }

    static boolean allOk(Check c) {
        return c.ok() && c.children().stream().allMatch(GuestChecks::allOk);
    }
}
