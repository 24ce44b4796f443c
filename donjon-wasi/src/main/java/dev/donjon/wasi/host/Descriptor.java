package dev.donjon.wasi.host;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
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

    public boolean nonBlocking() { return (fdflags & Wasi.FDFLAG_NONBLOCK) != 0; }

    public static final class Null extends Descriptor {
        public Null() { super(Wasi.RIGHTS_STDIO, 0); }
        @Override public int filetype() { return Wasi.FILETYPE_CHARACTER_DEVICE; }
    }

    public static final class Input extends Descriptor {
        final InputStream in;
        public Input(InputStream in) { super(Wasi.RIGHTS_STDIO, 0); this.in = in; }
        @Override public int filetype() { return Wasi.FILETYPE_CHARACTER_DEVICE; }
    }

    public static final class Output extends Descriptor {
        final OutputStream out;
        public Output(OutputStream out) { super(Wasi.RIGHTS_STDIO, 0); this.out = out; }
        @Override public int filetype() { return Wasi.FILETYPE_CHARACTER_DEVICE; }
    }

    public static final class File extends Descriptor {
        final FileChannel channel;
        final Path hostPath;
        File(FileChannel channel, Path hostPath, long rightsBase, long rightsInheriting) {
            super(rightsBase, rightsInheriting);
            this.channel = channel;
            this.hostPath = hostPath;
        }
        @Override public int filetype() { return Wasi.FILETYPE_REGULAR_FILE; }
        @Override public void close() throws IOException { channel.close(); }
    }

    /** A directory: {@code hostPath} always lies inside {@code root}, the preopened directory it came from. */
    public static final class Dir extends Descriptor {
        final Path hostPath;
        final Path root;
        /** The guest path of a preopen (fd_prestat_get), null for directories the guest opened. */
        final String preopenName;
        public Dir(Path hostPath, Path root, String preopenName, long rightsBase, long rightsInheriting) {
            super(rightsBase, rightsInheriting);
            this.hostPath = hostPath;
            this.root = root;
            this.preopenName = preopenName;
        }
        @Override public int filetype() { return Wasi.FILETYPE_DIRECTORY; }
    }

    public static final class Listener extends Descriptor {
        final ServerSocketChannel channel;
        final Optional<SSLContext> tls;
        final boolean requireClientCertificate;
        public Listener(ServerSocketChannel channel, Optional<SSLContext> tls) { this(channel, tls, false); }
        /** With {@code tls} present, accepted connections are TLS 1.3 server ends (see {@link TlsConnection}). */
        public Listener(ServerSocketChannel channel, Optional<SSLContext> tls, boolean requireClientCertificate) {
            super(Wasi.RIGHTS_SOCKET, Wasi.RIGHTS_SOCKET);
            this.channel = channel;
            this.tls = tls;
            this.requireClientCertificate = requireClientCertificate;
        }
        @Override public int filetype() { return Wasi.FILETYPE_SOCKET_STREAM; }
        @Override public void close() throws IOException { channel.close(); }
    }

    public static final class Socket extends Descriptor {
        final Connection connection;
        public Socket(Connection connection) {
            super(Wasi.RIGHTS_SOCKET, 0);
            this.connection = connection;
        }
        @Override public int filetype() { return Wasi.FILETYPE_SOCKET_STREAM; }
        @Override public void close() throws IOException { connection.close(); }
    }

    /**
     * A read-only directory held in memory ({@link dev.donjon.wasi.MemoryDirectory}), never on the host's disk. A kind
     * of its own, apart from {@link Dir}: no host path, nothing to confine; {@link MemoryFiles} implements its calls.
     */
    public static final class MemoryDir extends Descriptor {
        final dev.donjon.wasi.MemoryDirectory contents;
        /** The guest path of the preopen, null for the same directory opened again with path_open("."). */
        final String preopenName;
        MemoryDir(dev.donjon.wasi.MemoryDirectory contents, String preopenName, long rightsBase, long rightsInheriting) {
            super(rightsBase, rightsInheriting);
            this.contents = contents;
            this.preopenName = preopenName;
        }
        @Override public int filetype() { return Wasi.FILETYPE_DIRECTORY; }
    }

    /** A file of a {@link MemoryDir}, open for reading; its bytes are read in place. */
    public static final class MemoryFile extends Descriptor {
        final byte[] data;
        long position;
        MemoryFile(byte[] data, long rightsBase) {
            super(rightsBase, 0);
            this.data = data;
        }
        @Override public int filetype() { return Wasi.FILETYPE_REGULAR_FILE; }
    }
}
