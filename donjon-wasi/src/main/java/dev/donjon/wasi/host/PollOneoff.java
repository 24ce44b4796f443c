package dev.donjon.wasi.host;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.util.Arrays;

/**
 * {@code poll_oneoff}. WASI preview 1 has no epoll: a server polling 10,000 connections passes all 10,000
 * subscriptions at every call. What must be done per subscription is kept to reading it and a few field writes:
 * subscriptions are decoded into arrays reused from call to call, each socket keeps its registration with the selector
 * ({@link Readiness.Slot}) from one call to the next, and events are found from what the selector reports ready,
 * not by asking every socket.
 */
final class PollOneoff {
    private static final int SUBSCRIPTION_SIZE = 48;
    private static final int EVENT_SIZE = 32;
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    /** The run's clocks, by WASI clock id, in nanoseconds. */
    @FunctionalInterface
    interface Clocks {
        long now(int clockId);
    }

    private final FdTable fds;
    private final FileOps files;
    private final Readiness readiness;
    private final Clocks clocks;
    // The current call's subscriptions: userdata, event type (or -errno for a clock that cannot be read), fd or
    // deadline.
    private long[] userdata = new long[16];
    private int[] type = new int[16];
    private int[] fd = new int[16];
    private long[] deadline = new long[16];
    private final byte[] event = new byte[EVENT_SIZE];
    private GuestMemory memory;
    private int out;
    private int events;

    PollOneoff(FdTable fds, FileOps files, Readiness readiness, Clocks clocks) {
        this.fds = fds;
        this.files = files;
        this.readiness = readiness;
        this.clocks = clocks;
    }

    int poll(GuestMemory m, int in, int out, int nsubs, int neventsPtr) {
        if (nsubs == 0) throw Errno.fail(Errno.INVAL);
        if (nsubs < 0 || (long) nsubs * SUBSCRIPTION_SIZE > m.size()) throw Errno.fail(Errno.FAULT);
        long earliest = decode(m, in, nsubs);
        boolean hasClock = earliest != Long.MAX_VALUE;
        this.memory = m;
        this.out = out;
        try {
            while (true) {
                events = 0;
                readiness.beginRound();
                for (int i = 0; i < nsubs; i++) {
                    if (type[i] != Wasi.EVENTTYPE_CLOCK) subscribe(i);
                }
                long timeout;
                if (events > 0) timeout = 0;
                else if (!hasClock) timeout = -1;
                else timeout = Math.max(0, earliest - clocks.now(Wasi.CLOCK_MONOTONIC));
                if (!readiness.waits()) {
                    if (timeout > 0) sleep(timeout);
                } else if (readiness.await(timeout) > 0) {
                    for (Readiness.Slot slot : readiness.ready()) {
                        int ops = slot.readyOps();
                        Connection c = slot.connection;
                        if (slot.readSub() != Readiness.NONE
                                && (c == null ? (ops & SelectionKey.OP_ACCEPT) != 0 : c.readableAfter(ops))) {
                            report(slot, slot.readSub(), Wasi.EVENTTYPE_FD_READ, nsubs);
                        }
                        if (slot.writeSub() != Readiness.NONE && c != null && c.writableAfter(ops)) {
                            report(slot, slot.writeSub(), Wasi.EVENTTYPE_FD_WRITE, nsubs);
                        }
                    }
                }
                if (hasClock) {
                    long now = clocks.now(Wasi.CLOCK_MONOTONIC);
                    for (int i = 0; i < nsubs; i++) {
                        if (type[i] == Wasi.EVENTTYPE_CLOCK && deadline[i] <= now)
                            emit(userdata[i], 0, Wasi.EVENTTYPE_CLOCK, 0);
                    }
                }
                // Nothing yet only when TLS consumed what woke the selector (handshake, partial record): wait again.
                if (events > 0 || timeout == 0) break;
            }
            m.writeI32(neventsPtr, events);
            return Errno.SUCCESS;
        } finally {
            this.memory = null;
        }
    }

    /**
     * Reads the subscriptions into the arrays (the guest's memory is read once, before any event is written, so an
     * output area overlapping the input cannot change them). Clock subscriptions become deadlines on the monotonic
     * clock, and a clock that cannot be read an event with its errno.
     *
     * @return the earliest deadline, {@link Long#MAX_VALUE} if none
     */
    private long decode(GuestMemory m, int in, int nsubs) {
        if (userdata.length < nsubs) {
            int n = Math.max(nsubs, 2 * userdata.length);
            userdata = Arrays.copyOf(userdata, n);
            type = Arrays.copyOf(type, n);
            fd = Arrays.copyOf(fd, n);
            deadline = Arrays.copyOf(deadline, n);
        }
        long nowMono = clocks.now(Wasi.CLOCK_MONOTONIC);
        long earliest = Long.MAX_VALUE;
        for (int i = 0; i < nsubs; i++) {
            int s = in + SUBSCRIPTION_SIZE * i;
            userdata[i] = m.readI64(s);
            int tag = m.readU8(s + 8) & 0xff;
            if (tag == Wasi.EVENTTYPE_CLOCK) {
                int clock = m.readI32(s + 16);
                long timeout = m.readI64(s + 24);
                int flags = m.readU16(s + 40) & 0xffff;
                long delay;
                try {
                    delay = (flags & Wasi.SUBCLOCK_ABSTIME) != 0 ? timeout - clocks.now(clock) : timeout;
                } catch (Errno.Failure e) {
                    type[i] = -e.errno;
                    continue;
                }
                long due = delay <= 0 ? nowMono : (nowMono + delay < nowMono ? Long.MAX_VALUE : nowMono + delay);
                earliest = Math.min(earliest, due);
                type[i] = tag;
                deadline[i] = due;
            } else if (tag == Wasi.EVENTTYPE_FD_READ || tag == Wasi.EVENTTYPE_FD_WRITE) {
                type[i] = tag;
                fd[i] = m.readI32(s + 16);
            } else {
                throw Errno.fail(Errno.INVAL);
            }
        }
        return earliest;
    }

    /**
     * Subscription {@code i} in this round: an event now for what never waits (regular files, stdio, errors, TLS
     * plaintext already decrypted), else interest in its socket.
     */
    private void subscribe(int i) {
        if (type[i] < 0) {
            emit(userdata[i], -type[i], Wasi.EVENTTYPE_CLOCK, 0);
            return;
        }
        boolean read = type[i] == Wasi.EVENTTYPE_FD_READ;
        switch (fds.at(fd[i])) {
            case null -> emit(userdata[i], Errno.BADF, type[i], 0);
            case Descriptor.Socket socket -> {
                Connection c = socket.connection;
                if (read ? c.readReadyNow() : c.writeReadyNow()) {
                    emit(userdata[i], 0, type[i], 1);
                } else {
                    c.beforeWait();
                    readiness.want(readiness.slot(socket), read ? c.readInterest() : c.writeInterest(), i, read);
                }
            }
            case Descriptor.Listener listener
            when read -> readiness.want(readiness.slot(listener), SelectionKey.OP_ACCEPT, i, true);
            case Descriptor.Listener ignored -> emit(userdata[i], Errno.NOTSUP, type[i], 0);
            case Descriptor.File file -> emit(userdata[i], 0, type[i], read ? files.available(file) : 0);
            case Descriptor.Dir ignored -> emit(userdata[i], Errno.BADF, type[i], 0);
            default -> emit(userdata[i], 0, type[i], 0);
        }
    }

    /** The event of subscription {@code sub} on {@code slot}'s socket; {@link Readiness#SEVERAL}: of each such one. */
    private void report(Readiness.Slot slot, int sub, int eventType, int nsubs) {
        if (sub >= 0) {
            emit(userdata[sub], 0, eventType, 1);
            return;
        }
        for (int i = 0; i < nsubs; i++) {
            if (type[i] == eventType && slotOf(fds.at(fd[i])) == slot) emit(userdata[i], 0, eventType, 1);
        }
    }

    private static Readiness.Slot slotOf(Descriptor d) {
        return switch (d) {
            case Descriptor.Socket s -> s.pollSlot;
            case Descriptor.Listener l -> l.pollSlot;
            case null, default -> null;
        };
    }

    /** Writes the next event (32 bytes: userdata, errno, type, nbytes; flags 0) to the guest's output array. */
    private void emit(long userdata, int errno, int eventType, long nbytes) {
        byte[] e = event;
        Arrays.fill(e, (byte) 0);
        LONG.set(e, 0, userdata);
        SHORT.set(e, 8, (short) errno);
        e[10] = (byte) eventType;
        LONG.set(e, 16, nbytes);
        memory.write(out + EVENT_SIZE * events, e, 0, EVENT_SIZE);
        events++;
    }

    private static void sleep(long nanos) {
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Readiness.GuestStopped();
        }
    }
}
