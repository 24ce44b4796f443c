package dev.donjon.wasi;

import java.time.Duration;
import java.util.Optional;

/**
 * Resource limits of one guest run.
 *
 * @param maxMemoryBytes ceiling of the guest's linear memory (rounded down to 64 KiB pages; at most 2 GiB,
 *     Chicory's own ceiling)
 * @param maxWallTime    the guest is stopped after this long; empty = no limit (servers run until stopped)
 * @param maxCpuTime     the guest is stopped once its thread has used this much CPU time; time it spends blocked
 *     (sleeping, waiting in poll_oneoff or accept) does not count; empty = no limit
 * @param maxOpenFds     the guest's fd table never holds more entries; past it path_open and sock_accept
 *     return EMFILE
 */
public record WasiLimits(
        long maxMemoryBytes, Optional<Duration> maxWallTime, Optional<Duration> maxCpuTime, int maxOpenFds) {

    public static final long DEFAULT_MAX_MEMORY_BYTES = 512L << 20;
    public static final int DEFAULT_MAX_OPEN_FDS = 16_384;
    /** Chicory's hard ceiling: 32768 pages of 64 KiB. */
    public static final long ENGINE_MAX_MEMORY_BYTES = 2L << 30;

    public WasiLimits {
        if (maxMemoryBytes < 65_536 || maxMemoryBytes > ENGINE_MAX_MEMORY_BYTES) {
            throw new IllegalArgumentException(
                    "memory limit must be between 64 KiB and 2 GiB, not " + maxMemoryBytes + " bytes");
        }
        if (maxWallTime.isPresent() && !maxWallTime.get().isPositive()) {
            throw new IllegalArgumentException("wall-time limit must be positive");
        }
        if (maxCpuTime.isPresent() && !maxCpuTime.get().isPositive()) {
            throw new IllegalArgumentException("CPU-time limit must be positive");
        }
        if (maxOpenFds < 3) {
            throw new IllegalArgumentException("fd limit must be at least 3, not " + maxOpenFds);
        }
    }

    /** 512 MiB of memory, no wall-time or CPU-time limit, 16,384 fds. */
    public static WasiLimits defaults() {
        return new WasiLimits(DEFAULT_MAX_MEMORY_BYTES, Optional.empty(), Optional.empty(), DEFAULT_MAX_OPEN_FDS);
    }

    public WasiLimits withMaxMemoryBytes(long bytes) {
        return new WasiLimits(bytes, maxWallTime, maxCpuTime, maxOpenFds);
    }

    public WasiLimits withMaxWallTime(Duration wallTime) {
        return new WasiLimits(maxMemoryBytes, Optional.of(wallTime), maxCpuTime, maxOpenFds);
    }

    public WasiLimits withMaxCpuTime(Duration cpuTime) {
        return new WasiLimits(maxMemoryBytes, maxWallTime, Optional.of(cpuTime), maxOpenFds);
    }

    public WasiLimits withMaxOpenFds(int fds) {
        return new WasiLimits(maxMemoryBytes, maxWallTime, maxCpuTime, fds);
    }

    public int maxMemoryPages() {
        return (int) (maxMemoryBytes / 65_536);
    }
}
