package dev.donjon.wasi.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;

/**
 * One selector for all the guest's sockets: the guest has a single thread, so every blocking socket call and every
 * poll_oneoff waits here.
 *
 * <p>A socket is registered once, when it is first waited on, and keeps its {@link Slot} (held by its descriptor) for
 * its life. A wait is a round: {@link #beginRound}, {@link #want} per socket, {@link #await}, then {@link #ready()}:
 * only the slots the selector found ready. WASI preview 1 hands the host the whole subscription list at every
 * poll_oneoff (a server with 10,000 connections polls 10,000 sockets each time), so a round touches no kernel state
 * for a socket whose interest did not change, and interest the guest stopped asking for is dropped lazily, when the
 * selector reports it (one change then, rather than a pass over every registered socket at every round).
 */
final class Readiness implements AutoCloseable {
    /** No subscription of this round asked for this socket (in this direction). */
    static final int NONE = -1;
    /** Several subscriptions of this round asked for the same socket in the same direction (the caller scans). */
    static final int SEVERAL = -2;

    /** A channel's registration, kept for the channel's life, and what the current round wants of it. */
    static final class Slot {
        final SelectionKey key;
        /** The socket's connection (null for a listener): TLS decides whether a ready channel is ready plaintext. */
        final Connection connection;

        private long round = -1;
        private int ops;
        private int readSub = NONE;
        private int writeSub = NONE;
        private int readyOps;

        private Slot(SelectionKey key, Connection connection) {
            this.key = key;
            this.connection = connection;
        }

        /** The subscription that asked for reading (or accepting) this round: an index, {@link #NONE} or {@link #SEVERAL}. */
        int readSub() {
            return readSub;
        }

        /** As {@link #readSub()}, for writing. */
        int writeSub() {
            return writeSub;
        }

        /** The ops {@link #await} found ready, among those wanted this round. */
        int readyOps() {
            return readyOps;
        }
    }

    private volatile Selector selector;
    /** Set by {@link #poke} from another thread: a connection's state changed with no socket event to show it. */
    private volatile boolean poked;

    private long round;
    private final List<Slot> wanted = new ArrayList<>();
    private final List<Slot> ready = new ArrayList<>();

    private Selector selector() {
        if (selector == null) {
            try {
                selector = Selector.open();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return selector;
    }

    /** The socket's slot, registered on first use. */
    Slot slot(Descriptor.Socket socket) {
        if (socket.pollSlot == null) socket.pollSlot = register(socket.connection.channel(), socket.connection);
        return socket.pollSlot;
    }

    /** The listener's slot, registered on first use. */
    Slot slot(Descriptor.Listener listener) {
        if (listener.pollSlot == null) listener.pollSlot = register(listener.channel, null);
        return listener.pollSlot;
    }

    /** Registers {@code channel} (non-blocking) with no interest yet. */
    private Slot register(SelectableChannel channel, Connection connection) {
        try {
            SelectionKey key = channel.register(selector(), 0);
            Slot slot = new Slot(key, connection);
            key.attach(slot);
            if (connection != null) connection.wakeWith(this::poke);
            return slot;
        } catch (ClosedChannelException e) {
            throw Errno.fail(Errno.BADF);
        }
    }

    /** Starts a new round: nothing wanted, nothing ready. */
    void beginRound() {
        round++;
        wanted.clear();
        ready.clear();
    }

    /**
     * Adds {@code ops} to what this round waits for on {@code slot}, on behalf of subscription {@code sub} (or
     * {@link #NONE}) that reads ({@code read}) or writes.
     */
    void want(Slot slot, int ops, int sub, boolean read) {
        if (slot.round != round) {
            slot.round = round;
            slot.ops = 0;
            slot.readSub = NONE;
            slot.writeSub = NONE;
            slot.readyOps = 0;
            wanted.add(slot);
        }
        slot.ops |= ops;
        if (sub == NONE) return;
        if (read) slot.readSub = slot.readSub == NONE ? sub : SEVERAL;
        else slot.writeSub = slot.writeSub == NONE ? sub : SEVERAL;
    }

    /** True if something was wanted this round. */
    boolean waits() {
        return !wanted.isEmpty();
    }

    /**
     * Waits until at least one wanted interest is ready, the timeout passes or a connection {@link #poke pokes}.
     *
     * @param timeoutNs negative = wait forever, 0 = do not wait
     * @return how many slots are ready (0 on timeout, or when {@link #poke poked}); {@link #ready()} lists them
     */
    int await(long timeoutNs) {
        Selector sel = selector();
        for (Slot s : wanted) {
            SelectionKey key = s.key;
            if (key.isValid() && key.interestOps() != s.ops) key.interestOps(s.ops);
        }
        long deadline = timeoutNs > 0 ? System.nanoTime() + timeoutNs : 0;
        try {
            while (true) {
                sel.selectedKeys().clear();
                if (timeoutNs == 0) {
                    sel.selectNow();
                } else if (timeoutNs < 0) {
                    sel.select();
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) sel.selectNow();
                    else sel.select(Math.max(1, (left + 999_999) / 1_000_000));
                }
                if (Thread.currentThread().isInterrupted()) throw new GuestStopped();
                // a poke ends the wait with nothing ready: the caller asks its connections again
                boolean woken = poked;
                if (woken) poked = false;
                for (SelectionKey key : sel.selectedKeys()) {
                    if (!key.isValid()) continue;
                    Slot s = (Slot) key.attachment();
                    if (s.round != round) {
                        key.interestOps(0); // left over from an earlier round: nobody waits for it now
                        continue;
                    }
                    int ops = key.readyOps() & s.ops;
                    if (ops == 0) continue;
                    s.readyOps = ops;
                    ready.add(s);
                }
                sel.selectedKeys().clear();
                if (!ready.isEmpty() || timeoutNs == 0 || woken) return ready.size();
                if (timeoutNs > 0 && deadline - System.nanoTime() <= 0) return 0;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Ends the current (or next) {@link #await} early, from any thread: a connection finished work off the guest's
     * thread (a TLS handshake step) and the guest's wait must look at it again.
     */
    void poke() {
        poked = true;
        Selector s = selector;
        if (s != null) s.wakeup();
    }

    /** The slots the last {@link #await} found ready. */
    List<Slot> ready() {
        return ready;
    }

    /** Blocks until {@code slot}'s channel is ready for {@code ops}. */
    void awaitOne(Slot slot, int ops) {
        beginRound();
        want(slot, ops, NONE, true);
        await(-1);
    }

    @Override
    public void close() {
        if (selector != null) {
            try {
                selector.close();
            } catch (IOException ignored) {
                /* closing at exit */
            }
        }
    }

    /** The guest thread was interrupted while waiting: the run is being stopped. */
    static final class GuestStopped extends RuntimeException {
        GuestStopped() {
            super("guest was stopped", null, false, false);
        }
    }
}
