package dev.donjon.host.agent;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which Keeps the agent takes on: one ledger, checked and updated under one lock, so that concurrent requests can
 * never admit more than the limits allow (a check followed by a separate start once let 4 Keeps past a limit of 3).
 * A Keep holds its {@link Reservation} from before its process starts until that process has exited.
 *
 * <p>Spare Keeps (started ahead of demand) count against the memory budget only; a request that takes one claims its
 * reservation, which then counts for the requester like any other Keep.
 */
final class Admission {

    /**
     * @param maxKeeps          Keeps (not counting spares) alive at once
     * @param memoryBudgetBytes what all Keep processes together may hold, each counted at its {@link KeepProcessMemory}
     *                          bound, spares included
     * @param quota             what one principal may hold
     */
    record Limits(int maxKeeps, long memoryBudgetBytes, Quota quota) {
        Limits {
            if (maxKeeps < 1) throw new IllegalArgumentException("the Keep limit must be at least 1");
            if (memoryBudgetBytes < 1) throw new IllegalArgumentException("the memory budget must be positive");
        }
    }

    /**
     * Per principal: Keeps alive at once, and the sum of their guests' memory limits.
     */
    record Quota(int keeps, long guestMemoryBytes) {
        Quota {
            if (keeps < 1) throw new IllegalArgumentException("the per-principal Keep quota must be at least 1");
            if (guestMemoryBytes < 1)
                throw new IllegalArgumentException("the per-principal memory quota must be positive");
        }

        static Quota unlimited() {
            return new Quota(Integer.MAX_VALUE, Long.MAX_VALUE);
        }
    }

    /** Why a Keep was not admitted: the agent is full (503), or the principal is over its quota (429). */
    static final class Refused extends Exception {
        final boolean quota;
        final boolean memory;

        private Refused(String message, boolean quota, boolean memory) {
            super(message);
            this.quota = quota;
            this.memory = memory;
        }
    }

    /** Capacity held for one Keep process. Released once, when the process has exited (or never started). */
    final class Reservation {
        private final long guestBytes;
        private final long processBytes;
        private Principal owner; // null while a spare
        private boolean released;

        private Reservation(long guestBytes, long processBytes) {
            this.guestBytes = guestBytes;
            this.processBytes = processBytes;
        }

        Optional<Principal> owner() {
            synchronized (Admission.this) {
                return Optional.ofNullable(owner);
            }
        }

        long processBytes() {
            return processBytes;
        }

        void release() {
            synchronized (Admission.this) {
                if (released) return;
                released = true;
                committedBytes -= processBytes;
                if (owner != null) {
                    ownedKeeps--;
                    Usage u = usage.get(owner);
                    u.keeps--;
                    u.guestBytes -= guestBytes;
                    if (u.keeps == 0) usage.remove(owner);
                }
            }
        }
    }

    private static final class Usage {
        int keeps;
        long guestBytes;
    }

    private final Limits limits;
    private final Map<Principal, Usage> usage = new HashMap<>();
    private long committedBytes;
    private int ownedKeeps;

    Admission(Limits limits) {
        this.limits = limits;
    }

    Limits limits() {
        return limits;
    }

    /** Admits a new Keep process for {@code owner}, or says which limit it would pass. */
    synchronized Reservation admit(Principal owner, KeepLimits keep) throws Refused {
        KeepProcessMemory memory = keep.processMemory();
        checkOwner(owner, keep.maxMemoryBytes());
        checkMemory(memory.boundBytes());
        Reservation r = new Reservation(keep.maxMemoryBytes(), memory.boundBytes());
        committedBytes += r.processBytes;
        assign(r, owner);
        return r;
    }

    /** A spare Keep, if the memory budget has room for it (spares yield to requests: none is started otherwise). */
    synchronized Optional<Reservation> admitSpare(KeepLimits keep) {
        long bound = keep.processMemory().boundBytes();
        if (committedBytes + bound > limits.memoryBudgetBytes()) return Optional.empty();
        committedBytes += bound;
        return Optional.of(new Reservation(keep.maxMemoryBytes(), bound));
    }

    /** A request takes a spare: its reservation now counts for {@code owner}, if the limits let it. */
    synchronized void claim(Reservation spare, Principal owner) throws Refused {
        if (spare.released || spare.owner != null) throw new IllegalStateException("not an unclaimed spare");
        checkOwner(owner, spare.guestBytes);
        assign(spare, owner);
    }

    synchronized long committedBytes() {
        return committedBytes;
    }

    synchronized int ownedKeeps() {
        return ownedKeeps;
    }

    private void assign(Reservation r, Principal owner) {
        r.owner = owner;
        ownedKeeps++;
        Usage u = usage.computeIfAbsent(owner, o -> new Usage());
        u.keeps++;
        u.guestBytes += r.guestBytes;
    }

    private void checkOwner(Principal owner, long guestBytes) throws Refused {
        if (ownedKeeps >= limits.maxKeeps()) {
            throw new Refused("the agent already runs " + limits.maxKeeps() + " Keeps", false, false);
        }
        Usage u = usage.get(owner);
        int keeps = u == null ? 0 : u.keeps;
        long guest = u == null ? 0 : u.guestBytes;
        Quota q = limits.quota();
        if (keeps >= q.keeps()) {
            throw new Refused("quota: " + owner.label() + " already runs " + keeps + " Keeps, its limit", true, false);
        }
        if (guest + guestBytes > q.guestMemoryBytes()) {
            throw new Refused(
                    "quota: " + owner.label() + "'s Keeps would have " + mib(guest + guestBytes)
                            + " MiB of guest memory, over its limit of " + mib(q.guestMemoryBytes()) + " MiB",
                    true,
                    false);
        }
    }

    private void checkMemory(long processBytes) throws Refused {
        if (committedBytes + processBytes > limits.memoryBudgetBytes()) {
            throw new Refused(
                    "the agent's memory budget (" + mib(limits.memoryBudgetBytes()) + " MiB, " + mib(committedBytes)
                            + " MiB held) has no room for a Keep process of up to " + mib(processBytes) + " MiB",
                    false,
                    true);
        }
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }
}
