package dev.donjon.cli;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.OptionalLong;

/**
 * How many file descriptors a guest can really hold here: every guest fd (file, directory, socket) is one of this
 * process's, so the guest's limit cannot usefully pass this process's RLIMIT_NOFILE (which the JVM raises to the hard
 * limit at start), less the descriptors already open and a margin for the JVM's own (jars, pipes, the Steward).
 */
record FdCapacity(long processLimit, long open) {
    /** Descriptors kept for the Keep itself beyond those open at start. */
    static final long MARGIN = 64;

    /** This process's figures; empty where the JVM cannot tell (not a Unix). */
    static java.util.Optional<FdCapacity> ofThisProcess() {
        if (!(ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix))
            return java.util.Optional.empty();
        return java.util.Optional.of(
                new FdCapacity(unix.getMaxFileDescriptorCount(), unix.getOpenFileDescriptorCount()));
    }

    /** The most fds a guest can be given. */
    long forGuest() {
        return Math.max(3, processLimit - open - MARGIN);
    }

    /** Why {@code requested} cannot be honoured, if it cannot. */
    OptionalLong excess(long requested) {
        return requested > forGuest() ? OptionalLong.of(requested - forGuest()) : OptionalLong.empty();
    }

    String explain(long requested) {
        return "--max-fds " + requested + " is more than this process can open (RLIMIT_NOFILE is " + processLimit + ", "
                + open + " already open, " + MARGIN + " kept for the Keep itself: at most " + forGuest() + ")";
    }
}
