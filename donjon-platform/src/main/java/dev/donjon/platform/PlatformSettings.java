package dev.donjon.platform;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where each backend looks. Defaults are the real locations; every one can be moved by an environment variable
 * (for containers, and for tests that lay out a fake tree).
 *
 * @param tsmReport      configfs-tsm report directory ({@code DONJON_TSM_REPORT}, default /sys/kernel/config/tsm/report)
 * @param sevGuest       the legacy SNP guest device ({@code DONJON_SEV_GUEST}, default /dev/sev-guest)
 * @param tdxGuest       the legacy TDX guest device ({@code DONJON_TDX_GUEST}, default /dev/tdx_guest)
 * @param cpuinfo        {@code DONJON_CPUINFO}, default /proc/cpuinfo
 * @param gramine        Gramine's attestation directory ({@code DONJON_GRAMINE_ATTESTATION}, default /dev/attestation)
 * @param sim            the sim chain's directory ({@code DONJON_SIM_DIR}, default $XDG_DATA_HOME/donjon/sim or
 *                       ~/.local/share/donjon/sim)
 * @param amdCache       cached AMD collateral ({@code DONJON_AMD_CACHE}, default /var/cache/amd-sev)
 * @param intelCache     cached Intel collateral ({@code DONJON_INTEL_CACHE}, default /var/cache/intel-sgx)
 */
public record PlatformSettings(
        Path tsmReport,
        Path sevGuest,
        Path tdxGuest,
        Path cpuinfo,
        Path gramine,
        Path sim,
        Path amdCache,
        Path intelCache) {

    public static PlatformSettings fromEnvironment(Map<String, String> env) {
        return new PlatformSettings(
                path(env, "DONJON_TSM_REPORT", "/sys/kernel/config/tsm/report"),
                path(env, "DONJON_SEV_GUEST", "/dev/sev-guest"),
                path(env, "DONJON_TDX_GUEST", "/dev/tdx_guest"),
                path(env, "DONJON_CPUINFO", "/proc/cpuinfo"),
                path(env, "DONJON_GRAMINE_ATTESTATION", "/dev/attestation"),
                Optional.ofNullable(env.get("DONJON_SIM_DIR"))
                        .filter(s -> !s.isBlank())
                        .map(Path::of)
                        .orElseGet(() -> dataHome(env).resolve("donjon/sim")),
                path(env, "DONJON_AMD_CACHE", "/var/cache/amd-sev"),
                path(env, "DONJON_INTEL_CACHE", "/var/cache/intel-sgx"));
    }

    /** XDG base directory specification: $XDG_DATA_HOME if absolute, else ~/.local/share. */
    static Path dataHome(Map<String, String> env) {
        String xdg = env.get("XDG_DATA_HOME");
        if (xdg != null && Path.of(xdg).isAbsolute()) return Path.of(xdg);
        String home =
                Optional.ofNullable(env.get("HOME")).filter(h -> !h.isBlank()).orElse(System.getProperty("user.home"));
        return Path.of(home, ".local", "share");
    }

    private static Path path(Map<String, String> env, String variable, String fallback) {
        String v = env.get(variable);
        return Path.of(v == null || v.isBlank() ? fallback : v);
    }
}
