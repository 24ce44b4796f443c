package dev.donjon.server;

import io.helidon.common.socket.SocketOptions;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Keeps a listener serving real clients while others hold connections open without finishing requests (slowloris).
 * Helidon gives each connection a cheap virtual thread, but on its own it bounds nothing that matters here: a
 * connection stalled in its TLS handshake is not even tracked, the idle timeout stops applying once the request line
 * has arrived, {@code maxTcpConnections} stops accepting at the cap (so slow clients lock real ones out), and without
 * that cap, running out of file descriptors ends the listener for good (see donjon-server/README.md, "Why").
 * <p>
 * The guard sees every accepted socket (through the listener's {@link SocketOptions}, which Helidon applies right
 * after {@code accept}) and, from a routing filter, when a request head is complete and when its answer is done:
 * <ul>
 * <li>a connection must deliver a complete request head within {@link Limits#headTimeout()} of being accepted, and an
 *     idle keep-alive connection its next one within {@link Limits#idleTimeout()}; otherwise it is closed;</li>
 * <li>a read that gets no byte for {@link Limits#idleTimeout()} fails (socket timeout), inside a request too;</li>
 * <li>at the connection cap, accepting never stops: the new connection displaces the oldest one that is waiting for
 *     (or slowly sending) a request head or idling between requests. Connections inside a request are never displaced.
 *     If every connection is inside a request, the new one is closed.</li>
 * </ul>
 */
final class ConnectionGuard implements AutoCloseable {

    enum State {
        HEAD,
        BUSY,
        IDLE
    }

    /** Why the guard closed a connection (a metric label). */
    enum Reason {
        HEAD_TIMEOUT,
        IDLE_TIMEOUT,
        DISPLACED,
        REFUSED_FULL
    }

    private static final class Tracked {
        final SocketChannel channel;
        final SocketAddress remote;
        volatile State state = State.HEAD;
        volatile long since;
        volatile int generation;

        Tracked(SocketChannel channel, SocketAddress remote, long now) {
            this.channel = channel;
            this.remote = remote;
            this.since = now;
        }
    }

    /** A place in the displacement order; stale once its connection moved on (busy, or idle again later). */
    private record Turn(Tracked tracked, int generation) {}

    private final int cap;
    private final long headTimeoutNanos;
    private final long idleTimeoutNanos;
    private final int soTimeoutMillis;
    private final Map<SocketAddress, Tracked> live = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Turn> order = new ConcurrentLinkedQueue<>();
    private final AtomicInteger orderSize = new AtomicInteger();
    private final Map<Reason, LongAdder> closed = new ConcurrentHashMap<>();
    private final Thread sweeper;
    private volatile boolean running = true;

    ConnectionGuard(Limits limits) {
        this.cap = effectiveCap(limits.maxConnections());
        this.headTimeoutNanos = limits.headTimeout().toNanos();
        this.idleTimeoutNanos = limits.idleTimeout().toNanos();
        this.soTimeoutMillis =
                (int) Math.min(Integer.MAX_VALUE, limits.idleTimeout().toMillis());
        for (Reason r : Reason.values()) closed.put(r, new LongAdder());
        this.sweeper =
                Thread.ofPlatform().daemon().name("donjon-connection-guard").start(this::sweep);
    }

    /**
     * The configured cap, but never so close to the file-descriptor limit that {@code accept} could fail: Helidon ends
     * the listener when it does. An eighth of the descriptors (at least 256) stays free for files, pipes and Keeps.
     */
    static int effectiveCap(int configured) {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            long fds = unix.getMaxFileDescriptorCount();
            long usable = fds - Math.max(256, fds / 8);
            return (int) Math.max(16, Math.min(configured, usable));
        }
        return configured;
    }

    int cap() {
        return cap;
    }

    /** The listener's socket options, plus the guard's look at every accepted socket. */
    SocketOptions socketOptions(SocketOptions base) {
        return new GuardedSocketOptions(base, this);
    }

    void accepted(SocketChannel channel) {
        SocketAddress remote;
        try {
            remote = channel.getRemoteAddress();
            channel.socket().setSoTimeout(soTimeoutMillis); // the listener uses blocking sockets: reads honour it
        } catch (IOException e) {
            return; // already gone
        }
        if (remote == null) return;
        Tracked t = new Tracked(channel, remote, System.nanoTime());
        live.put(remote, t);
        enqueue(t);
        while (live.size() > cap) {
            Turn turn = order.poll();
            if (turn == null) {
                close(t, Reason.REFUSED_FULL); // every connection is inside a request: this one waits for none
                return;
            }
            orderSize.decrementAndGet();
            Tracked oldest = turn.tracked();
            if (!oldest.channel.isOpen()) {
                live.remove(oldest.remote, oldest);
                continue;
            }
            if (oldest.state == State.BUSY || oldest.generation != turn.generation()) continue;
            close(oldest, oldest == t ? Reason.REFUSED_FULL : Reason.DISPLACED);
        }
    }

    /** A request head on this connection is complete: it is being served. */
    void busy(SocketAddress remote) {
        Tracked t = live.get(remote);
        if (t != null) t.state = State.BUSY;
    }

    /** The request is answered: the connection idles until its next request head. */
    void idle(SocketAddress remote) {
        Tracked t = live.get(remote);
        if (t == null) return;
        t.since = System.nanoTime();
        t.generation++;
        t.state = State.IDLE;
        enqueue(t);
    }

    private void enqueue(Tracked t) {
        order.add(new Turn(t, t.generation));
        orderSize.incrementAndGet();
    }

    private void close(Tracked t, Reason reason) {
        live.remove(t.remote, t);
        closed.get(reason).increment();
        try {
            t.channel.close(); // the connection's thread, blocked in a read, fails and cleans up
        } catch (IOException ignored) {
            // closed anyway
        }
    }

    private void sweep() {
        while (running) {
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Tracked t : live.values()) {
                if (!t.channel.isOpen()) {
                    live.remove(t.remote, t);
                } else if (t.state == State.HEAD && now - t.since > headTimeoutNanos) {
                    close(t, Reason.HEAD_TIMEOUT);
                } else if (t.state == State.IDLE && now - t.since > idleTimeoutNanos) {
                    close(t, Reason.IDLE_TIMEOUT);
                }
            }
            // forget turns of connections that are gone or moved on, so the order stays about as long as the live set
            if (orderSize.get() > 2 * live.size() + 1024) {
                order.removeIf(turn -> {
                    boolean stale = !turn.tracked().channel.isOpen() || turn.tracked().generation != turn.generation();
                    if (stale) orderSize.decrementAndGet();
                    return stale;
                });
            }
        }
    }

    /** Open connections by state. */
    Map<State, Integer> connections() {
        Map<State, Integer> out = new java.util.EnumMap<>(State.class);
        for (State s : State.values()) out.put(s, 0);
        for (Tracked t : live.values()) if (t.channel.isOpen()) out.merge(t.state, 1, Integer::sum);
        return out;
    }

    /** Connections the guard closed, by reason. */
    long closed(Reason reason) {
        return closed.get(reason).sum();
    }

    @Override
    public void close() {
        running = false;
        sweeper.interrupt();
    }

    /** Helidon applies a listener's socket options to each accepted socket: the one hook it offers at accept. */
    private record GuardedSocketOptions(SocketOptions base, ConnectionGuard guard) implements SocketOptions {
        @Override
        public void configureSocket(SocketChannel socket) {
            base.configureSocket(socket);
            guard.accepted(socket);
        }

        @Override
        public void configureSocket(java.net.Socket socket) {
            base.configureSocket(socket);
            try {
                socket.setSoTimeout(guard.soTimeoutMillis);
            } catch (SocketException ignored) {
                // closed already
            }
        }

        @Override
        public Map<java.net.SocketOption<?>, Object> socketOptions() {
            return base.socketOptions();
        }

        @Override
        public Duration connectTimeout() {
            return base.connectTimeout();
        }

        @Override
        public Duration readTimeout() {
            return base.readTimeout();
        }

        @Override
        public Optional<Integer> socketReceiveBufferSize() {
            return base.socketReceiveBufferSize();
        }

        @Override
        public Optional<Integer> socketSendBufferSize() {
            return base.socketSendBufferSize();
        }

        @Override
        public boolean socketReuseAddress() {
            return base.socketReuseAddress();
        }

        @Override
        public boolean socketKeepAlive() {
            return base.socketKeepAlive();
        }

        @Override
        public boolean tcpNoDelay() {
            return base.tcpNoDelay();
        }
    }
}
