package dev.donjon.host.agent;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The agent's heap holds every Keep's encrypted output until its owner reads it; this bounds it, per Keep and in
 * total, running and ended Keeps alike.
 * <ul>
 * <li>A Keep whose output passes {@code perKeepBytes} is stopped (its reader gets what was buffered, then the notice).</li>
 * <li>When a chunk would take the total past {@code totalBytes}, the output of ended Keeps is discarded, the longest
 *     ended first, until it fits (their status and end notice stay; a later read gets the notice only). If the running
 *     Keeps' output alone fills the budget, the Keep whose chunk does not fit is stopped.</li>
 * <li>An ended Keep's output is also released as soon as a reader has received all of it, end notice included.</li>
 * </ul>
 */
final class OutputBudget {

    /** @param perKeepBytes output one Keep may have buffered; @param totalBytes output all Keeps may have buffered */
    record Limits(long perKeepBytes, long totalBytes) {
        static final Limits DEFAULT = new Limits(64L << 20, 512L << 20);

        Limits {
            if (perKeepBytes < 1 << 20)
                throw new IllegalArgumentException("the per-Keep output buffer must be at least 1 MiB");
            if (totalBytes < perKeepBytes)
                throw new IllegalArgumentException("the total output buffer cannot be smaller than the per-Keep one");
        }
    }

    private final Limits limits;
    private final Deque<KeepProcess> ended = new ArrayDeque<>();
    private long used;

    OutputBudget(Limits limits) {
        this.limits = limits;
    }

    Limits limits() {
        return limits;
    }

    /** Takes room for {@code bytes} more output, discarding ended Keeps' output if needed; false if there is none. */
    boolean take(long bytes) {
        while (true) {
            KeepProcess victim;
            synchronized (this) {
                if (used + bytes <= limits.totalBytes()) {
                    used += bytes;
                    return true;
                }
                victim = ended.pollFirst();
                if (victim == null) return false;
            }
            // outside this lock: the Keep gives its bytes back through release()
            victim.discardOutput("the agent's output buffer (" + (limits.totalBytes() >> 20)
                    + " MiB for all Keeps) needed the room; its output was discarded");
        }
    }

    synchronized void release(long bytes) {
        used -= bytes;
    }

    /** An ended Keep that still holds output: first to be discarded when room is needed. */
    synchronized void ended(KeepProcess keep) {
        ended.addLast(keep);
    }

    /** The Keep's output is gone (read, discarded, forgotten): nothing left to discard. */
    synchronized void forget(KeepProcess keep) {
        ended.remove(keep);
    }

    synchronized long used() {
        return used;
    }
}
