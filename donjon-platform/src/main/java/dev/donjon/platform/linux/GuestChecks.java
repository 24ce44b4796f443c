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
        Check guest = c.flags().contains(flag) ? Check.pass(what, "cpu flag " + flag)
                : Check.fail(what, "cpu flag " + flag + " absent: not running inside such a guest");
        return c.vendor().equals(vendor) ? Check.pass("CPU", c.vendor(), guest) : Check.fail("CPU", c.vendor() + ", not " + vendor);
    }

    static Check ioctlDevice(Path device) {
        return Files.exists(device)
                ? Check.fail(device.toString(), "present, but its ioctl interface needs native code, which Donjon does not use; "
                        + "a kernel with configfs-tsm (6.7+) is required")
                : Check.fail(device.toString(), "absent");
    }

    static PlatformException noConfigfs(Path root, Path device) {
        return Files.exists(device)
                ? new PlatformException("configfs-tsm (" + root + ") is absent and " + device
                        + " is not supported (its ioctls need native code); use a guest kernel 6.7+ with configfs-tsm")
                : new PlatformException("configfs-tsm (" + root + ") is absent: not inside a confidential VM, or a kernel older than 6.7");
    }

    static boolean allOk(Check c) {
        return c.ok() && c.children().stream().allMatch(GuestChecks::allOk);
    }
}
