package dev.donjon.host.agent;

import dev.donjon.wasi.GuestRun;
import java.util.List;

/**
 * How a Keep process is sized from its guest's memory limit, and the bound its resident memory stays within; the
 * agent admits Keeps against its memory budget at this bound.
 *
 * <p>Every region the JVM can grow is capped, each by the option that enforces it (a region that reaches its cap ends
 * that Keep only: {@code -XX:+ExitOnOutOfMemoryError}):
 * <ul>
 * <li>heap: twice the guest's memory (a {@code memory.grow} copies the whole linear memory, old and new side by side
 *     for a moment) plus {@link #HEAP_OVERHEAD} for the module, its compiled form, the package and buffers. The young
 *     generation is capped at {@link #YOUNG_GENERATION} so that the old generation, where a large linear memory
 *     lives, can hold both copies (with the serial collector's default split a 1 GiB guest could not grow to its
 *     limit in a heap of 2.2 GiB);</li>
 * <li>metaspace (classes, including the module's compiled classes), code cache (JIT-compiled code), direct buffers:
 *     fixed caps;</li>
 * <li>the guest thread's stack, {@link GuestRun#GUEST_STACK_BYTES}: committed only as deep as the guest recurses, but
 *     counted in full;</li>
 * <li>{@link #NATIVE_SLACK}: what no option caps (the collector's card table, JIT compiler arenas, the class-data
 *     archive's mapping, other threads' stacks, malloc). Measured, not enforced: see bench/keep-memory.sh.</li>
 * </ul>
 *
 * @param guestBytes the guest's linear-memory limit
 */
record KeepProcessMemory(long guestBytes) {
    static final long MIB = 1L << 20;
    static final long HEAP_OVERHEAD = 160 * MIB;
    static final long YOUNG_GENERATION = 48 * MIB;
    static final long METASPACE = 128 * MIB;
    static final long CODE_CACHE = 64 * MIB;
    static final long DIRECT_MEMORY = 32 * MIB;
    static final long NATIVE_SLACK = 128 * MIB;

    long heapBytes() {
        return 2 * guestBytes + HEAP_OVERHEAD;
    }

    /** The most resident memory the Keep process should ever hold: the sum of every cap above. */
    long boundBytes() {
        return heapBytes() + METASPACE + CODE_CACHE + DIRECT_MEMORY + GuestRun.GUEST_STACK_BYTES + NATIVE_SLACK;
    }

    /** The JVM options that enforce the caps. */
    List<String> jvmOptions() {
        return List.of(
                "-Xmx" + heapBytes() / MIB + "m",
                "-XX:MaxNewSize=" + YOUNG_GENERATION / MIB + "m",
                "-XX:MaxMetaspaceSize=" + METASPACE / MIB + "m",
                "-XX:ReservedCodeCacheSize=" + CODE_CACHE / MIB + "m",
                "-XX:MaxDirectMemorySize=" + DIRECT_MEMORY / MIB + "m",
                // temporary direct buffers for I/O on heap buffers are freed after use rather than kept per thread
                "-Djdk.nio.maxCachedBufferSize=262144",
                "-XX:+ExitOnOutOfMemoryError");
    }
}
