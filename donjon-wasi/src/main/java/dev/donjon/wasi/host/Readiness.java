package dev.donjon.wasi.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One selector for all the guest's sockets: the guest has a single thread, so every blocking socket call
 * and every poll_oneoff waits here. A channel is registered once and keeps its key; only the interest
 * set changes, and interest the guest no longer asks for is dropped before the next wait so a socket
 * nobody polls cannot keep waking the selector.
 */
final class Readiness implements AutoCloseable {
    private Selector selector;
    private final Map<SelectionKey, Integer> armed = new HashMap<>();

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
            return channel.register(selector(), 0);
        } catch (ClosedChannelException e) {
            throw Errno.fail(Errno.BADF);
        }
    }

    /**
     * Waits until at least one of the given interests is ready or the timeout passes.
     *
     * @param wants     channel -> interest ops wanted in this wait
     * @param timeoutNs negative = wait forever, 0 = do not wait
     * @return channel -> ready ops, for the channels that are ready (empty on timeout)
     */
    Map<SelectableChannel, Integer> await(Map<SelectableChannel, Integer> wants, long timeoutNs) {
        Selector sel = selector();
        Map<SelectionKey, Integer> next = new HashMap<>();
        for (var e : wants.entrySet()) {
            next.merge(key(e.getKey()), e.getValue(), (a, b) -> a | b);
        }
        for (var e : armed.entrySet()) {
            if (!next.containsKey(e.getKey()) && e.getKey().isValid()) e.getKey().interestOps(0);
        }
        for (var e : next.entrySet()) {
            if (!e.getKey().isValid()) continue;
            if (e.getKey().interestOps() != e.getValue()) e.getKey().interestOps(e.getValue());
        }
        armed.clear();
        armed.putAll(next);
        Map<SelectableChannel, Integer> ready = new HashMap<>();
        long deadline = timeoutNs > 0 ? System.nanoTime() + timeoutNs : 0;
        try {
            while (true) {
                sel.selectedKeys().clear();
                int n;
                if (timeoutNs == 0) {
                    n = sel.selectNow();
                } else if (timeoutNs < 0) {
                    n = sel.select();
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        n = sel.selectNow();
                    } else {
                        n = sel.select(Math.max(1, (left + 999_999) / 1_000_000));
                    }
                }
                if (Thread.currentThread().isInterrupted()) throw new GuestStopped();
                if (n > 0 || !sel.selectedKeys().isEmpty()) {
                    Set<SelectionKey> keys = sel.selectedKeys();
                    for (SelectionKey k : keys) {
                        if (k.isValid()) {
                            int ops = k.readyOps() & k.interestOps();
                            if (ops != 0) ready.merge(k.channel(), ops, (a, b) -> a | b);
                        }
                    }
                    keys.clear();
                    if (!ready.isEmpty()) return ready;
                }
                if (timeoutNs == 0) return ready;
                if (timeoutNs > 0 && deadline - System.nanoTime() <= 0) return ready;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Blocks until {@code channel} is ready for {@code ops}. */
    void awaitOne(SelectableChannel channel, int ops) {
        await(Map.of(channel, ops), -1);
    }

    List<SelectableChannel> armedChannels() {
        List<SelectableChannel> out = new ArrayList<>();
        for (SelectionKey k : armed.keySet()) out.add(k.channel());
        return out;
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
