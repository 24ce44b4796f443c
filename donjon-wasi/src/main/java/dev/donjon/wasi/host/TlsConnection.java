package dev.donjon.wasi.host;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * TLS 1.3 terminated by the host: an {@link SSLEngine} over the non-blocking channel, the guest reading and
 * writing plaintext. Nothing here blocks: the handshake and the record layer advance whenever the guest
 * reads, writes or polls, and the selector interest asked for is whatever the engine is waiting on.
 *
 * <p>The handshake's expensive steps (the engine's delegated tasks: key agreement, signing, checking a certificate)
 * run on a virtual thread, not the guest's: the guest's one thread goes on serving its other connections meanwhile,
 * and a burst of new connections no longer stalls the ones already open. While a task runs this connection waits on
 * nothing from its socket; the task's end wakes the guest's wait ({@link #wakeWith}). That CPU is no longer charged
 * to the guest's CPU-time limit, which counts its own thread: it is work the clients cause, not the guest.
 *
 * <p>A failed handshake or a protocol error kills this connection only: the alert is sent if the socket
 * takes it, and every later read or write on the fd fails (ECONNABORTED); the guest closes the fd as it would
 * after any socket error. A peer that closes the TCP connection without close_notify gives ECONNRESET rather
 * than end-of-file, so a truncated stream is never mistaken for a complete one.
 */
public final class TlsConnection implements Connection {
    public static final String PROTOCOL = "TLSv1.3";
    /** How long a closed connection keeps trying to send what the guest wrote before closing. */
    private static final Duration LINGER = Duration.ofSeconds(5);

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final int IDLE_WAITS = 64;

    private final SocketChannel channel;
    private final SSLEngine engine;
    // All three buffers stay in fill mode (position = end of data) between calls.
    private ByteBuffer netIn; // ciphertext received, not yet unwrapped
    private ByteBuffer netOut; // ciphertext produced, not yet sent
    private ByteBuffer appIn; // plaintext decrypted, not yet read by the guest
    private boolean peerClosed; // close_notify received (or input shut down by the guest)
    private boolean outputShut; // close_notify queued; TCP FIN follows once it is sent
    private boolean finShutdown; // the TCP output side has been shut down
    private IOException failure; // the connection is dead: later reads and writes fail with this
    private int waitsSinceMove; // how often the guest waited on this connection since plaintext last moved
    private ByteBuffer[]
            direct; // during read(): where unwrap() decrypts while appIn is empty, null when it does not fit
    private long directBytes; // plaintext decrypted into direct during this read()
    // A delegated task is running on another thread: the engine is left alone until it ends.
    private volatile boolean taskRunning;
    private volatile RuntimeException taskFailure; // what a delegated task threw, for the guest's thread to report
    private volatile Runnable wakeup; // wakes the guest's wait when a task ends (set on registration)

    private TlsConnection(SocketChannel channel, SSLEngine engine) throws IOException {
        this.channel = channel;
        this.engine = engine;
        int packet = engine.getSession().getPacketBufferSize();
        this.netIn = ByteBuffer.allocate(packet);
        this.netOut = ByteBuffer.allocate(packet);
        this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
        engine.beginHandshake();
        advance(true);
    }

    /** The server side of a connection accepted from a TLS listener. */
    public static TlsConnection server(SocketChannel channel, SSLContext context, boolean requireClientCertificate)
            throws IOException {
        return new TlsConnection(channel, serverEngine(context, requireClientCertificate));
    }

    /** The client side of an outgoing connection: SNI is {@code peerHost}, which the certificate must name. */
    public static TlsConnection client(SocketChannel channel, SSLContext context, String peerHost) throws IOException {
        int port = channel.getRemoteAddress() instanceof InetSocketAddress a ? a.getPort() : -1;
        return new TlsConnection(channel, clientEngine(context, peerHost, port));
    }

    /** A configured server engine; also used to check a listener's context before the guest starts. */
    public static SSLEngine serverEngine(SSLContext context, boolean requireClientCertificate) {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters p = engine.getSSLParameters();
        p.setProtocols(new String[] {PROTOCOL});
        p.setNeedClientAuth(requireClientCertificate);
        engine.setSSLParameters(p);
        return engine;
    }

    /** A configured client engine with hostname verification ("HTTPS" endpoint identification). */
    public static SSLEngine clientEngine(SSLContext context, String peerHost, int port) {
        SSLEngine engine = context.createSSLEngine(peerHost, port);
        engine.setUseClientMode(true);
        SSLParameters p = engine.getSSLParameters();
        p.setProtocols(new String[] {PROTOCOL});
        p.setEndpointIdentificationAlgorithm("HTTPS");
        if (isHostName(peerHost)) p.setServerNames(List.of(new SNIHostName(peerHost)));
        engine.setSSLParameters(p);
        return engine;
    }

    /** SNI carries DNS names only, never address literals (RFC 6066 section 3). */
    private static boolean isHostName(String host) {
        if (host.indexOf(':') >= 0 || host.chars().allMatch(ch -> ch == '.' || Character.isDigit(ch))) return false;
        try {
            new SNIHostName(host);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public SocketChannel channel() {
        return channel;
    }

    @Override
    public void wakeWith(Runnable wakeup) {
        this.wakeup = wakeup;
    }

    /**
     * Plaintext already decrypted first; then records are decrypted straight into {@code dsts} (the guest's memory)
     * while they fit, and into {@code appIn} only when they do not (a record larger than what the guest asked for).
     */
    @Override
    public long read(ByteBuffer[] dsts) throws IOException {
        long n = drain(dsts);
        if (n == 0 && failure == null && !peerClosed) {
            direct = dsts;
            directBytes = 0;
            try {
                advance(true);
            } finally {
                direct = null;
            }
            n = directBytes + drain(dsts);
        } else {
            advance(true); // a handshake message or alert behind the plaintext: keep the engine moving
        }
        if (n > 0) {
            waitsSinceMove = 0;
            return n;
        }
        if (failure != null) throw failure;
        return peerClosed ? -1 : 0;
    }

    /** Moves buffered plaintext into {@code dsts}; returns how much. */
    private long drain(ByteBuffer[] dsts) {
        if (appIn.position() == 0) return 0;
        appIn.flip();
        long moved = 0;
        for (ByteBuffer dst : dsts) {
            int k = Math.min(appIn.remaining(), dst.remaining());
            if (k == 0) continue;
            dst.put(dst.position(), appIn, appIn.position(), k);
            dst.position(dst.position() + k);
            appIn.position(appIn.position() + k);
            moved += k;
            if (!appIn.hasRemaining()) break;
        }
        appIn.compact();
        return moved;
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        advance(true);
        if (failure != null) throw failure;
        if (outputShut) throw new IOException("Broken pipe (TLS output already closed)");
        if (handshaking()) return 0;
        long consumed = 0;
        while (hasRemaining(srcs) && netOut.position() == 0) {
            SSLEngineResult r;
            try {
                r = engine.wrap(srcs, netOut);
            } catch (SSLException | RuntimeException e) {
                fail(
                        e instanceof SSLException ssl
                                ? ssl
                                : new SSLException("TLS engine failure: " + e.getMessage(), e));
                if (consumed > 0) return consumed;
                throw failure;
            }
            consumed += r.bytesConsumed();
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                netOut = grow(netOut, engine.getSession().getPacketBufferSize());
            } else if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                if (consumed > 0) break;
                throw new IOException("Broken pipe (TLS connection closed)");
            } else if (r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
                break; // the engine wants something else first (advance() will see to it)
            }
            flush();
        }
        if (consumed > 0) waitsSinceMove = 0;
        return consumed;
    }

    private static boolean hasRemaining(ByteBuffer[] buffers) {
        for (ByteBuffer b : buffers) {
            if (b.hasRemaining()) return true;
        }
        return false;
    }

    /** True when plaintext is buffered, or the stream has ended or failed: a read would not wait. */
    @Override
    public boolean readReadyNow() {
        if (appIn.position() == 0 && netIn.position() > 0) advance(false);
        return appIn.position() > 0 || peerClosed || failure != null;
    }

    /** True when the handshake is done and earlier ciphertext is sent, or a write would fail at once. */
    @Override
    public boolean writeReadyNow() {
        if (netOut.position() > 0 && failure == null) advance(false);
        return failure != null || outputShut || (!handshaking() && netOut.position() == 0);
    }

    @Override
    public boolean readableAfter(int readyOps) {
        advance(true);
        return readReadyNow();
    }

    @Override
    public boolean writableAfter(int readyOps) {
        advance(true);
        return writeReadyNow();
    }

    /**
     * An idle connection keeps no engine-sized buffers (about 50 KB with all three), so thousands of open TLS
     * connections cost little heap; they are allocated again, by the BUFFER_OVERFLOW / BUFFER_UNDERFLOW paths,
     * when data moves. Idle = the guest waited on it {@value #IDLE_WAITS} times without plaintext moving, so
     * connections in use (a server's poll loop waits on all of them every round) keep their buffers.
     */
    @Override
    public void beforeWait() {
        if (waitsSinceMove < IDLE_WAITS) {
            waitsSinceMove++;
            return;
        }
        if (appIn.position() == 0 && appIn.capacity() > 0) appIn = ByteBuffer.allocate(0);
        if (netIn.position() == 0 && netIn.capacity() > 0) netIn = ByteBuffer.allocate(0);
        if (netOut.position() == 0 && netOut.capacity() > 0) netOut = ByteBuffer.allocate(0);
    }

    /**
     * Nothing while a delegated task runs (its end wakes the guest); a task still to start asks, like a wrap, for
     * OP_WRITE, which is ready at once, so the guest comes back and starts it.
     */
    @Override
    public int readInterest() {
        if (taskRunning) return 0;
        int ops = netOut.position() > 0 ? SelectionKey.OP_WRITE : 0;
        HandshakeStatus hs = engine.getHandshakeStatus();
        return hs == HandshakeStatus.NEED_WRAP || hs == HandshakeStatus.NEED_TASK
                ? ops | SelectionKey.OP_WRITE
                : ops | SelectionKey.OP_READ;
    }

    @Override
    public int writeInterest() {
        return handshaking() ? readInterest() : SelectionKey.OP_WRITE;
    }

    /** Sends close_notify, then the TCP FIN once it is out. */
    @Override
    public void shutdownOutput() throws IOException {
        if (failure != null) throw failure;
        if (outputShut) return;
        outputShut = true;
        engine.closeOutbound();
        advance(true);
        if (failure != null) throw failure;
    }

    @Override
    public void shutdownInput() throws IOException {
        peerClosed = true;
        channel.shutdownInput();
    }

    /**
     * Sends close_notify and closes. Ciphertext the kernel does not take at once (the guest's last reply,
     * the alert) is sent by a virtual thread for a few seconds before the socket closes, as the kernel
     * lingers on a plain socket's unsent bytes.
     */
    @Override
    public void close() throws IOException {
        if (failure == null && !outputShut) {
            outputShut = true;
            engine.closeOutbound();
            advance(true);
        }
        if (netOut.position() == 0 || !channel.isOpen()) {
            channel.close();
            return;
        }
        ByteBuffer rest = netOut.flip();
        Thread.ofVirtual().name("tls-linger").start(() -> linger(rest));
    }

    private void linger(ByteBuffer rest) {
        long deadline = System.nanoTime() + LINGER.toNanos();
        try (SocketChannel ch = channel) {
            while (rest.hasRemaining() && System.nanoTime() - deadline < 0) {
                if (ch.write(rest) == 0) Thread.sleep(5);
            }
        } catch (IOException | InterruptedException e) {
            // the peer is gone or the JVM is stopping: nothing left to deliver to
        }
    }

    private boolean handshaking() {
        HandshakeStatus hs = engine.getHandshakeStatus();
        return hs != HandshakeStatus.NOT_HANDSHAKING && hs != HandshakeStatus.FINISHED;
    }

    /**
     * Moves the engine as far as it goes without blocking: sends queued ciphertext, runs the handshake,
     * decrypts received records into {@code appIn} until it is full. Reads the socket only if {@code mayRead}.
     */
    private void advance(boolean mayRead) {
        if (failure != null || taskRunning) return;
        RuntimeException thrown = taskFailure;
        if (thrown != null) {
            fail(new SSLException("TLS handshake task failed: " + thrown.getMessage(), thrown));
            return;
        }
        try {
            flush();
            try {
                while (true) {
                    HandshakeStatus hs = engine.getHandshakeStatus();
                    boolean progressed = switch (hs) {
                        case NEED_TASK -> {
                            runTasksElsewhere();
                            yield false;
                        }
                        case NEED_WRAP -> wrapHandshake();
                        default -> !engine.isInboundDone() && !peerClosed && unwrap(mayRead);
                    };
                    if (!progressed) return;
                }
            } finally {
                flush(); // a whole handshake flight leaves in one write, not one per message
            }
        } catch (SSLException e) {
            fail(e);
        } catch (IOException e) {
            failure = e;
        } catch (RuntimeException e) {
            // An engine in a state it did not expect must still cost only this connection, never the Keep.
            fail(new SSLException("TLS engine failure: " + e.getMessage(), e));
        }
    }

    /** Runs the engine's delegated tasks on a virtual thread, then wakes the guest's wait. */
    private void runTasksElsewhere() {
        taskRunning = true;
        Thread.ofVirtual().name("tls-handshake").start(() -> {
            try {
                for (Runnable task; (task = engine.getDelegatedTask()) != null; ) task.run();
            } catch (RuntimeException e) {
                taskFailure = e; // an engine in a state it did not expect: this connection fails, never the Keep
            } finally {
                taskRunning = false;
                Runnable w = wakeup;
                if (w != null) w.run();
            }
        });
    }

    private boolean wrapHandshake() throws IOException {
        HandshakeStatus before = engine.getHandshakeStatus();
        SSLEngineResult r = engine.wrap(EMPTY, netOut);
        if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
            // The engine wants room for a full record per message; grow rather than send the flight in pieces
            // (flush() gives the memory back once the handshake is over).
            netOut = grow(netOut, engine.getSession().getPacketBufferSize());
            return true;
        }
        return r.bytesProduced() > 0 || r.getHandshakeStatus() != before;
    }

    private boolean unwrap(boolean mayRead) throws IOException {
        boolean toGuest = direct != null && appIn.position() == 0;
        netIn.flip();
        SSLEngineResult r;
        try {
            r = toGuest ? engine.unwrap(netIn, direct) : engine.unwrap(netIn, appIn);
        } finally {
            netIn.compact();
        }
        if (toGuest) directBytes += r.bytesProduced();
        return switch (r.getStatus()) {
            case OK -> r.bytesConsumed() > 0 || r.bytesProduced() > 0;
            case CLOSED -> {
                peerClosed = true;
                yield true;
            }
            case BUFFER_OVERFLOW -> {
                if (toGuest) {
                    direct = null; // the record is larger than what is left of the guest's buffers: through appIn
                    yield true;
                }
                if (appIn.position() > 0) yield false; // the guest has to read first
                appIn = grow(appIn, engine.getSession().getApplicationBufferSize());
                yield true;
            }
            case BUFFER_UNDERFLOW -> {
                if (!mayRead) yield false;
                if (!netIn.hasRemaining())
                    netIn = grow(netIn, engine.getSession().getPacketBufferSize());
                int n = channel.read(netIn);
                if (n < 0) {
                    peerEndedWithoutCloseNotify();
                    yield false;
                }
                yield n > 0;
            }
        };
    }

    private void peerEndedWithoutCloseNotify() throws IOException {
        try {
            engine.closeInbound();
        } catch (SSLException expected) {
            // "closed before receiving close_notify": exactly the case reported below
        }
        throw new IOException("Connection reset: peer closed the TLS connection without close_notify");
    }

    /** A protocol failure: try to send the engine's alert, end the TCP stream, remember the error. */
    private void fail(SSLException e) {
        failure = e;
        try {
            engine.closeOutbound();
            int packet = engine.getSession().getPacketBufferSize();
            if (netOut.remaining() < packet) netOut = grow(netOut, packet);
            for (int i = 0; i < 4 && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP; i++) {
                if (engine.wrap(EMPTY, netOut).getStatus() != SSLEngineResult.Status.OK) break;
            }
            flush();
            if (netOut.position() == 0 && channel.isOpen()) channel.shutdownOutput();
        } catch (IOException | RuntimeException ignored) {
            // the connection is already failed; the alert is a courtesy
        }
    }

    private void flush() throws IOException {
        if (netOut.position() > 0) {
            netOut.flip();
            try {
                channel.write(netOut);
            } finally {
                netOut.compact();
            }
        }
        int packet = engine.getSession().getPacketBufferSize();
        if (netOut.position() == 0 && netOut.capacity() > packet && !handshaking())
            netOut = ByteBuffer.allocate(packet);
        if (outputShut && !finShutdown && netOut.position() == 0 && engine.isOutboundDone()) {
            finShutdown = true;
            channel.shutdownOutput();
        }
    }

    private static ByteBuffer grow(ByteBuffer b, int atLeast) {
        ByteBuffer bigger = ByteBuffer.allocate(b.capacity() + Math.max(atLeast, b.capacity()));
        bigger.put(b.flip());
        return bigger;
    }
}
