package dev.donjon.wasi.host;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * Sockets as Enarx has them: opened by the host, seen by the guest as fds. Every channel is non-blocking;
 * a guest call on a blocking fd waits on the run's selector, a call on an O_NONBLOCK fd returns EAGAIN.
 */
final class SocketOps {
    /** Most bytes one sock_recv / sock_send moves; more would only delay the guest's next look at its other fds. */
    private static final int MAX_TRANSFER = 1 << 20;
    /** Most iovecs one call moves (Linux's IOV_MAX); the rest is a short read or write, as the kernel's would be. */
    private static final int MAX_IOVECS = 1024;

    private final FdTable fds;
    private final Readiness readiness;
    /**
     * Where socket data goes when guest memory has no in-place views (Chicory's paged memory, for memories too large
     * for one array). The guest has one thread, so one pair serves all its sockets. Direct, so that the kernel reads
     * into and writes from them without the JDK copying through a temporary direct buffer.
     */
    private ByteBuffer in = ByteBuffer.allocateDirect(64 << 10);

    private ByteBuffer out = ByteBuffer.allocateDirect(64 << 10);

    SocketOps(FdTable fds, Readiness readiness) {
        this.fds = fds;
        this.readiness = readiness;
    }

    int accept(GuestMemory m, int fd, int flags, int resultPtr) throws IOException {
        Descriptor d = fds.get(fd);
        if (!(d instanceof Descriptor.Listener listener)) {
            throw Errno.fail(d instanceof Descriptor.Socket ? Errno.INVAL : Errno.NOTSOCK);
        }
        if ((listener.rightsBase & Wasi.RIGHT_SOCK_ACCEPT) == 0) throw Errno.fail(Errno.NOTCAPABLE);
        if ((flags & ~Wasi.FDFLAG_NONBLOCK) != 0) throw Errno.fail(Errno.INVAL);
        // At the fd limit the connection stays in the kernel's backlog, as with accept(2) and EMFILE.
        if (fds.full()) throw Errno.fail(Errno.MFILE);
        SocketChannel ch;
        while ((ch = listener.channel.accept()) == null) {
            if (listener.nonBlocking()) throw Errno.fail(Errno.AGAIN);
            readiness.awaitOne(readiness.slot(listener), SelectionKey.OP_ACCEPT);
        }
        ch.configureBlocking(false);
        ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
        Connection connection;
        try {
            connection = listener.tls.isPresent()
                    ? TlsConnection.server(ch, listener.tls.get(), listener.requireClientCertificate)
                    : new Connection.Plain(ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        Descriptor.Socket socket = new Descriptor.Socket(connection);
        socket.fdflags = flags & Wasi.FDFLAG_NONBLOCK;
        int newFd;
        try {
            newFd = fds.add(socket);
        } catch (Errno.Failure e) {
            connection.close();
            throw e;
        }
        m.writeI32(resultPtr, newFd);
        return Errno.SUCCESS;
    }

    private Descriptor.Socket socket(int fd) {
        Descriptor d = fds.get(fd);
        if (d instanceof Descriptor.Socket s) return s;
        if (d instanceof Descriptor.Listener) throw Errno.fail(Errno.NOTCONN);
        throw Errno.fail(Errno.NOTSOCK);
    }

    int recv(GuestMemory m, int fd, int iovs, int iovsLen, int riFlags, int nreadPtr, int roFlagsPtr)
            throws IOException {
        Descriptor.Socket s = socket(fd);
        if ((riFlags & ~(Wasi.RIFLAGS_RECV_PEEK | Wasi.RIFLAGS_RECV_WAITALL)) != 0) throw Errno.fail(Errno.INVAL);
        if ((riFlags & Wasi.RIFLAGS_RECV_PEEK) != 0) throw Errno.fail(Errno.NOTSUP);
        long n = read(m, s, iovs, iovsLen, (riFlags & Wasi.RIFLAGS_RECV_WAITALL) != 0);
        m.writeI32(nreadPtr, (int) n);
        m.writeU16(roFlagsPtr, 0);
        return Errno.SUCCESS;
    }

    int send(GuestMemory m, int fd, int iovs, int iovsLen, int siFlags, int nwrittenPtr) throws IOException {
        Descriptor.Socket s = socket(fd);
        if (siFlags != 0) throw Errno.fail(Errno.INVAL);
        m.writeI32(nwrittenPtr, (int) write(m, s, iovs, iovsLen));
        return Errno.SUCCESS;
    }

    int shutdown(int fd, int how) throws IOException {
        Descriptor.Socket s = socket(fd);
        if (how < 1 || how > 3) throw Errno.fail(Errno.INVAL);
        if ((s.rightsBase & Wasi.RIGHT_SOCK_SHUTDOWN) == 0) throw Errno.fail(Errno.NOTCAPABLE);
        if ((how & Wasi.SDFLAGS_RD) != 0) s.connection.shutdownInput();
        if ((how & Wasi.SDFLAGS_WR) != 0) s.connection.shutdownOutput();
        return Errno.SUCCESS;
    }

    /** Reads into the iovecs what is available; blocks (unless O_NONBLOCK) until at least one byte or EOF. */
    long read(GuestMemory m, Descriptor.Socket s, int iovs, int iovsLen, boolean waitAll) throws IOException {
        if ((s.rightsBase & Wasi.RIGHT_FD_READ) == 0) throw Errno.fail(Errno.NOTCAPABLE);
        long want = WasiPreview1.totalLength(m, iovs, iovsLen);
        if (want == 0) return 0;
        ByteBuffer[] dsts = views(m, iovs, iovsLen);
        boolean copy = dsts == null;
        if (copy) dsts = new ByteBuffer[] {in = ready(in, (int) Math.min(want, MAX_TRANSFER))};
        Connection c = s.connection;
        long got = 0;
        while (true) {
            long n = c.read(dsts);
            if (n < 0) break;
            got += n;
            if (got > 0 && (!waitAll || !hasRemaining(dsts))) break;
            if (n == 0) {
                if (s.nonBlocking()) {
                    if (got > 0) break;
                    throw Errno.fail(Errno.AGAIN);
                }
                c.beforeWait();
                readiness.awaitOne(readiness.slot(s), c.readInterest());
            }
        }
        if (!copy) return got;
        ByteBuffer buf = in.flip();
        int done = 0;
        for (int i = 0; i < iovsLen && buf.hasRemaining(); i++) {
            int ptr = m.readI32(iovs + 8 * i);
            int len = Math.min(m.readI32(iovs + 8 * i + 4), buf.remaining());
            m.copyFrom(MemorySegment.ofBuffer(buf), ptr, len); // the segment starts at the buffer's position
            buf.position(buf.position() + len);
            done += len;
        }
        return done;
    }

    /** {@code buf} cleared with room for {@code size} bytes, or a larger one (at most {@link #MAX_TRANSFER}). */
    private static ByteBuffer ready(ByteBuffer buf, int size) {
        if (buf.capacity() < size)
            buf = ByteBuffer.allocateDirect(Math.min(MAX_TRANSFER, Math.max(size, 2 * buf.capacity())));
        return buf.clear().limit(size);
    }

    /**
     * The iovecs as buffers over guest memory (at most {@link #MAX_TRANSFER} bytes in {@link #MAX_IOVECS} of them),
     * so that the socket or the TLS engine reads and writes the guest's bytes in place; null when the memory has no
     * such views (then the data goes through {@link #in} or {@link #out}).
     */
    private static ByteBuffer[] views(GuestMemory m, int iovs, int iovsLen) {
        int n = Math.min(iovsLen, MAX_IOVECS);
        ByteBuffer[] views = new ByteBuffer[n];
        long room = MAX_TRANSFER;
        for (int i = 0; i < n; i++) {
            int len = (int) Math.min(room, Integer.toUnsignedLong(m.readI32(iovs + 8 * i + 4)));
            ByteBuffer v = m.view(m.readI32(iovs + 8 * i), len);
            if (v == null) return null;
            views[i] = v;
            room -= len;
        }
        return views;
    }

    private static boolean hasRemaining(ByteBuffer[] buffers) {
        for (ByteBuffer b : buffers) {
            if (b.hasRemaining()) return true;
        }
        return false;
    }

    /** Writes all the iovecs (blocking) or what fits now (O_NONBLOCK, EAGAIN if nothing fits). */
    long write(GuestMemory m, Descriptor.Socket s, int iovs, int iovsLen) throws IOException {
        if ((s.rightsBase & Wasi.RIGHT_FD_WRITE) == 0) throw Errno.fail(Errno.NOTCAPABLE);
        long want = WasiPreview1.totalLength(m, iovs, iovsLen);
        if (want == 0) return 0;
        ByteBuffer[] srcs = views(m, iovs, iovsLen);
        if (srcs == null) {
            ByteBuffer buf = out = ready(out, (int) Math.min(want, MAX_TRANSFER));
            for (int i = 0; i < iovsLen && buf.hasRemaining(); i++) {
                int ptr = m.readI32(iovs + 8 * i);
                int len = Math.min(m.readI32(iovs + 8 * i + 4), buf.remaining());
                m.copyTo(ptr, MemorySegment.ofBuffer(buf), len);
                buf.position(buf.position() + len);
            }
            srcs = new ByteBuffer[] {buf.flip()};
        }
        Connection c = s.connection;
        long sent = 0;
        try {
            while (hasRemaining(srcs)) {
                long n = c.write(srcs);
                sent += n;
                if (n == 0) {
                    if (s.nonBlocking()) {
                        if (sent > 0) break;
                        throw Errno.fail(Errno.AGAIN);
                    }
                    c.beforeWait();
                    readiness.awaitOne(readiness.slot(s), c.writeInterest());
                }
            }
        } catch (IOException e) {
            if (sent > 0) return sent;
            throw e;
        }
        return sent;
    }
}
