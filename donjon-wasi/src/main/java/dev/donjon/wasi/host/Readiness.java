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
 * One selector for all the guest's sockets: the guest has a single thread, so every blocking socket call
 * and every poll_oneoff waits here. A channel is registered once and keeps its key; only the interest
 * set changes, and interest the guest no longer asks for is dropped before the next wait so a socket
 * nobody polls cannot keep waking the selector.
 *
 * <p>A wait is a round: {@link #beginRound}, {@link #want} per channel, {@link #await}, then
 * {@link #readyOps} per channel. The round's state lives in each key's attachment rather than in maps built
 * per call, because a server polling 10,000 sockets makes a round of 10,000 channels on every poll.
 */
final class Readiness implements AutoCloseable {
    /** Per-key state; {@code round} stamps say which round a field belongs to. */
    private static final class Interest {
        long wantedIn = -1;
        int ops;
        long readyIn = -1;
        int readyOps;
    }

    private Selector selector;
    private long round;
    private List<SelectionKey> armed = new ArrayList<>();
    private List<SelectionKey> next = new ArrayList<>();

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

    private SelectionKey key(SelectableChannel channel) {
        SelectionKey key = channel.keyFor(selector());
        if (key != null) return key;
        try {
            return channel.register(selector(), 0, new Interest());
        } catch (ClosedChannelException e) {
            throw Errno.fail(Errno.BADF);
        }
    }

    /** Starts a new round: no interest yet, nothing ready. */
    void beginRound() {
        round++;
        next.clear();
    }

    /** Adds {@code ops} to what this round waits for on {@code channel}. */
    void want(SelectableChannel channel, int ops) {
        SelectionKey key = key(channel);
        Interest st = (Interest) key.attachment();
        if (st.wantedIn != round) {
            st.wantedIn = round;
            st.ops = 0;
            next.add(key);
        }
        st.ops |= ops;
    }

    /**
     * Waits until at least one wanted interest is ready or the timeout passes.
     *
     * @param timeoutNs negative = wait forever, 0 = do not wait
     * @return how many channels are ready (0 on timeout); ask {@link #readyOps} which
     */
    int await(long timeoutNs) {
        Selector sel = selector();
        for (SelectionKey key : armed) {
            if (((Interest) key.attachment()).wantedIn != round && key.isValid() && key.interestOps() != 0) key.interestOps(0);
        }
        for (SelectionKey key : next) {
            int ops = ((Interest) key.attachment()).ops;
            if (key.isValid() && key.interestOps() != ops) key.interestOps(ops);
        }
        List<SelectionKey> previous = armed;
        armed = next;
        next = previous;
        next.clear();
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
                int ready = 0;
                for (SelectionKey key : sel.selectedKeys()) {
                    if (!key.isValid()) continue;
                    int ops = key.readyOps() & key.interestOps();
                    if (ops == 0) continue;
                    Interest st = (Interest) key.attachment();
                    st.readyIn = round;
                    st.readyOps = ops;
                    ready++;
                }
                sel.selectedKeys().clear();
                if (ready > 0 || timeoutNs == 0) return ready;
                if (timeoutNs > 0 && deadline - System.nanoTime() <= 0) return 0;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The ops the last {@link #await} found ready on {@code channel}, 0 if none. */
    int readyOps(SelectableChannel channel) {
        SelectionKey key = selector == null ? null : channel.keyFor(selector);
        if (key == null) return 0;
        Interest st = (Interest) key.attachment();
        return st.readyIn == round ? st.readyOps : 0;
    }

    /** Blocks until {@code channel} is ready for {@code ops}. */
    void awaitOne(SelectableChannel channel, int ops) {
        beginRound();
        want(channel, ops);
        await(-1);
    }

    @Override
    public void close() {
        if (selector != null) {
            try { selector.close(); } catch (IOException ignored) { /* closing at exit */ }
        }
    }

    /** The guest thread was interrupted while waiting: the run is being stopped. */
    static final class GuestStopped extends RuntimeException {
        GuestStopped() { super("guest was stopped", null, false, false); }
    }
}
