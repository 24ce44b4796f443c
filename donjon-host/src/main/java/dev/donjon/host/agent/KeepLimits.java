package dev.donjon.host.agent;

import dev.donjon.wasi.WasiLimits;
import java.time.Duration;
import java.util.Optional;

/**
 * What a client may ask for one Keep: guest memory and, optionally, a wall-clock and a CPU-time limit. The Keep
 * process is sized from the memory limit ({@link KeepProcessMemory}), so a guest that hits it takes down only its own
 * process.
 */
public record KeepLimits(long maxMemoryBytes, Optional<Duration> maxTime, Optional<Duration> maxCpuTime) {

    /** The same as {@code donjon run}'s, so that a deployment with the defaults on both sides gets a spare Keep. */
    public static final long DEFAULT_MEMORY = WasiLimits.DEFAULT_MAX_MEMORY_BYTES;
    /** The Keep process takes its time limits in milliseconds. */
    private static final Duration LONGEST_TIME_LIMIT = Duration.ofMillis(Long.MAX_VALUE);

    public KeepLimits {
        if (maxMemoryBytes < (1 << 20) || maxMemoryBytes > WasiLimits.ENGINE_MAX_MEMORY_BYTES) {
            throw new IllegalArgumentException("memory limit must be between 1 MiB and 2 GiB");
        }
        checkTimeLimit(maxTime, "time limit");
        checkTimeLimit(maxCpuTime, "CPU-time limit");
    }

    /** Positive, and small enough to reach the Keep process in milliseconds. */
    private static void checkTimeLimit(Optional<Duration> limit, String name) {
        if (limit.isPresent() && !limit.get().isPositive())
            throw new IllegalArgumentException(name + " must be positive");
        if (limit.isPresent() && limit.get().compareTo(LONGEST_TIME_LIMIT) > 0)
            throw new IllegalArgumentException(name + " is too large");
    }

    public static KeepLimits defaults() {
        return new KeepLimits(DEFAULT_MEMORY, Optional.empty(), Optional.empty());
    }

    /** How the Keep process for these limits is sized, and the memory it stays within. */
    KeepProcessMemory processMemory() {
        return new KeepProcessMemory(maxMemoryBytes);
    }
}
