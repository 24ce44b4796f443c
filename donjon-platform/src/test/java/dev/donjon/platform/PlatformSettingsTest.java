package dev.donjon.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlatformSettingsTest {

    @Test
    void defaultsAreTheRealLocations() {
        PlatformSettings s = PlatformSettings.fromEnvironment(Map.of("HOME", "/home/ada"));
        assertEquals(Path.of("/sys/kernel/config/tsm/report"), s.tsmReport());
        assertEquals(Path.of("/dev/sev-guest"), s.sevGuest());
        assertEquals(Path.of("/dev/tdx_guest"), s.tdxGuest());
        assertEquals(Path.of("/proc/cpuinfo"), s.cpuinfo());
        assertEquals(Path.of("/dev/attestation"), s.gramine());
        assertEquals(Path.of("/home/ada/.local/share/donjon/sim"), s.sim());
        assertEquals(Path.of("/var/cache/amd-sev"), s.amdCache());
        assertEquals(Path.of("/var/cache/intel-sgx"), s.intelCache());
    }

    @Test
    void xdgDataHomeOnlyWhenAbsoluteAndEveryPathOverridable() {
        assertEquals(
                Path.of("/data/donjon/sim"),
                PlatformSettings.fromEnvironment(Map.of("HOME", "/h", "XDG_DATA_HOME", "/data"))
                        .sim());
        assertEquals(
                Path.of("/h/.local/share/donjon/sim"),
                PlatformSettings.fromEnvironment(Map.of("HOME", "/h", "XDG_DATA_HOME", "rel"))
                        .sim());
        PlatformSettings s = PlatformSettings.fromEnvironment(Map.of(
                "DONJON_SIM_DIR",
                "/s",
                "DONJON_TSM_REPORT",
                "/t",
                "DONJON_GRAMINE_ATTESTATION",
                "/g",
                "DONJON_AMD_CACHE",
                "/a",
                "DONJON_INTEL_CACHE",
                "/i",
                "DONJON_TSM_REPORT_IGNORED",
                "x"));
        assertEquals(Path.of("/s"), s.sim());
        assertEquals(Path.of("/t"), s.tsmReport());
        assertEquals(Path.of("/g"), s.gramine());
        assertEquals(Path.of("/a"), s.amdCache());
        assertEquals(Path.of("/i"), s.intelCache());
    }
}
