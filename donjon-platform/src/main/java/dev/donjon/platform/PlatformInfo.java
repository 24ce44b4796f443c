package dev.donjon.platform;

import java.util.List;

/**
 * What one backend found on this machine.
 *
 * @param usable    a Keep can be started on it now
 * @param simulated its evidence is produced by software and proves nothing about hardware
 */
public record PlatformInfo(Backend backend, boolean usable, boolean simulated, List<Check> checks) {

    public PlatformInfo {
        checks = List.copyOf(checks);
    }
}
