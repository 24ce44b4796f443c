package dev.donjon.wasi.host;

import dev.donjon.wasi.linux.Linux;
import dev.donjon.wasi.linux.LinuxException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/** One entry of the guest's fd table. Flags and rights are per descriptor, as in WASI. */
public abstract sealed class Descriptor {
    public int fdflags;
    public long rightsBase;
    public long rightsInheriting;

    Descriptor(long rightsBase, long rightsInheriting) {
        this.rightsBase = rightsBase;
        this.rightsInheriting = rightsInheriting;
    }

    public abstract int filetype();

    public void close() throws IOException {}

    public boolean nonBlocking() {
        return (fdflags & Wasi.FDFLAG_NONBLOCK) != 0;
    }

    /** Like /dev/null: a character device (seekable, so not a terminal) that reads empty and swallows writes. */
    public static final class Null extends Descriptor {
        public Null() {
            super(Wasi.RIGHTS_STDIO | Wasi.RIGHT_FD_SEEK | Wasi.RIGHT_FD_TELL, 0);
        }

        @Override
        public int filetype() {
            return Wasi.FILETYPE_CHARACTER_DEVICE;
        }
    }

    /**
     * A stream the guest reads (its stdin). {@code filetype} is what the stream really is (see StreamKind);
     * {@code seekable} gives it the seek and tell rights, which tell wasi-libc's isatty that it is no terminal.
     */
    public static final class Input extends Descriptor {
        final InputStream in;
        private final int filetype;

        public Input(InputStream in, int filetype, boolean seekable) {
            super(Wasi.RIGHTS_STDIN | (seekable ? Wasi.RIGHT_FD_SEEK | Wasi.RIGHT_FD_TELL : 0), 0);
            this.in = in;
            this.filetype = filetype;
        }

        @Override
        public int filetype() {
            return filetype;
        }
    }

    /** A stream the guest writes (stdout, stderr); {@code filetype} and {@code seekable} as for {@link Input}. */
    public static final class Output extends Descriptor {
        final OutputStream out;
        private final int filetype;

        public Output(OutputStream out, int filetype, boolean seekable) {
            super(Wasi.RIGHTS_STDOUT | (seekable ? Wasi.RIGHT_FD_SEEK | Wasi.RIGHT_FD_TELL : 0), 0);
            this.out = out;
            this.filetype = filetype;
        }

        @Override
        public int filetype() {
            return filetype;
        }
    }

    /**
     * A file the guest opened beneath a preopened directory: {@code fd} is the host's own descriptor of it, and every
     * read, write and stat goes through that descriptor (never through a path).
     */
    public static final class File extends Descriptor {
        final Linux sys;
        final int fd;
        private final int filetype;
        /** A regular file; anything else (a FIFO, a device) is read and written without blocking the host thread. */
        final boolean regular;

        private boolean closed;

        File(Linux sys, int fd, int filetype, long rightsBase, long rightsInheriting) {
            super(rightsBase, rightsInheriting);
            this.sys = sys;
            this.fd = fd;
            this.filetype = filetype;
            this.regular = filetype == Wasi.FILETYPE_REGULAR_FILE;
        }

        @Override
        public int filetype() {
            return filetype;
        }

        @Override
        public void close() {
            if (closed) return; // the number may already belong to another descriptor
            closed = true;
            sys.close(fd);
        }
    }

    /** The preopened directory a {@link Dir} descends from, by identity: for the symlink rule and readdir's "..". */
    public record Root(long dev, long ino) {
        boolean is(Linux.Stat s) {
            return s.dev() == dev && s.ino() == ino;
        }
    }

    /**
     * A directory: {@code fd} is the host's descriptor of it, and every path the guest gives relative to it is
     * resolved by the kernel beneath that descriptor ({@link dev.donjon.wasi.linux.Beneath}).
     */
    public static final class Dir extends Descriptor {
        final Linux sys;
        final int fd;
        final Root root;
        /** The guest path of a preopen (fd_prestat_get), null for directories the guest opened. */
        final String preopenName;

        private boolean closed;

        Dir(Linux sys, int fd, Root root, String preopenName, long rightsBase, long rightsInheriting) {
            super(rightsBase, rightsInheriting);
            this.sys = sys;
            this.fd = fd;
            this.root = root;
            this.preopenName = preopenName;
        }

        /** Opens the host directory {@code hostDir} (the host's own, trusted, path) for the guest as {@code guestPath}. */
        public static Dir preopen(Linux sys, Path hostDir, String guestPath) {
            int fd;
            try {
                fd = sys.openat(
                        Linux.AT_FDCWD, hostDir.toString(), Linux.O_RDONLY | Linux.O_DIRECTORY | Linux.O_CLOEXEC, 0);
            } catch (LinuxException e) {
                if (e.errno != Linux.EACCES) throw e;
                fd = sys.openat(
                        Linux.AT_FDCWD, hostDir.toString(), Linux.O_PATH | Linux.O_DIRECTORY | Linux.O_CLOEXEC, 0);
            }
            Linux.Stat st = sys.fstat(fd);
            return new Dir(sys, fd, new Root(st.dev(), st.ino()), guestPath, Wasi.RIGHTS_DIR, Wasi.RIGHTS_ALL);
        }

        @Override
        public int filetype() {
            return Wasi.FILETYPE_DIRECTORY;
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            sys.close(fd);
        }
    }

    public static final class Listener extends Descriptor {
        final ServerSocketChannel channel;
        final Optional<SSLContext> tls;
        final boolean requireClientCertificate;
        /** Its registration with the run's selector, made when the guest first waits on it. */
        Readiness.Slot pollSlot;

        public Listener(ServerSocketChannel channel, Optional<SSLContext> tls) {
            this(channel, tls, false);
        }
        /** With {@code tls} present, accepted connections are TLS 1.3 server ends (see {@link TlsConnection}). */
        public Listener(ServerSocketChannel channel, Optional<SSLContext> tls, boolean requireClientCertificate) {
            super(Wasi.RIGHTS_SOCKET, Wasi.RIGHTS_SOCKET);
            this.channel = channel;
            this.tls = tls;
            this.requireClientCertificate = requireClientCertificate;
        }

        @Override
        public int filetype() {
            return Wasi.FILETYPE_SOCKET_STREAM;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    public static final class Socket extends Descriptor {
        final Connection connection;
        /** Its registration with the run's selector, made when the guest first waits on it. */
        Readiness.Slot pollSlot;

        public Socket(Connection connection) {
            super(Wasi.RIGHTS_SOCKET, 0);
            this.connection = connection;
        }

        @Override
        public int filetype() {
            return Wasi.FILETYPE_SOCKET_STREAM;
        }

        @Override
        public void close() throws IOException {
            connection.close();
        }
    }

    /**
     * A read-only directory held in memory ({@link dev.donjon.wasi.MemoryDirectory}), never on the host's disk. A kind
     * of its own, apart from {@link Dir}: no host path, nothing to confine; {@link MemoryFiles} implements its calls.
     */
    public static final class MemoryDir extends Descriptor {
        final dev.donjon.wasi.MemoryDirectory contents;
        /** The guest path of the preopen, null for the same directory opened again with path_open("."). */
        final String preopenName;

        MemoryDir(
                dev.donjon.wasi.MemoryDirectory contents, String preopenName, long rightsBase, long rightsInheriting) {
            super(rightsBase, rightsInheriting);
            this.contents = contents;
            this.preopenName = preopenName;
        }

        @Override
        public int filetype() {
            return Wasi.FILETYPE_DIRECTORY;
        }
    }

    /** A file of a {@link MemoryDir}, open for reading; its bytes are read in place. */
    public static final class MemoryFile extends Descriptor {
        final byte[] data;
        long position;

        MemoryFile(byte[] data, long rightsBase) {
            super(rightsBase, 0);
            this.data = data;
        }

        @Override
        public int filetype() {
            return Wasi.FILETYPE_REGULAR_FILE;
        }
    }
}
