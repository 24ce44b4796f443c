package dev.donjon.wasi;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/** What one configured guest file descriptor is. File i of the list given to {@link WasiOptions} is fd i. */
public sealed interface FdSpec {

    /** The name shown in FD_NAMES; stdio entries use their conventional names. */
    String name();

    /** Reads give end-of-file, writes are discarded; the guest sees a character device, as /dev/null. */
    record NullDevice(String name) implements FdSpec {
        public NullDevice() {
            this("null");
        }
    }

    /** {@code kind}: what the stream really is, as the guest is told ({@link StreamKind#STREAM} unless given). */
    record Stdin(InputStream in, String name, StreamKind kind) implements FdSpec {
        public Stdin {
            Objects.requireNonNull(in, "in");
            Objects.requireNonNull(kind, "kind");
        }

        public Stdin(InputStream in, String name) {
            this(in, name, StreamKind.STREAM);
        }

        public Stdin(InputStream in) {
            this(in, "stdin");
        }
    }

    record Stdout(OutputStream out, String name, StreamKind kind) implements FdSpec {
        public Stdout {
            Objects.requireNonNull(out, "out");
            Objects.requireNonNull(kind, "kind");
        }

        public Stdout(OutputStream out, String name) {
            this(out, name, StreamKind.STREAM);
        }

        public Stdout(OutputStream out) {
            this(out, "stdout");
        }
    }

    record Stderr(OutputStream out, String name, StreamKind kind) implements FdSpec {
        public Stderr {
            Objects.requireNonNull(out, "out");
            Objects.requireNonNull(kind, "kind");
        }

        public Stderr(OutputStream out, String name) {
            this(out, name, StreamKind.STREAM);
        }

        public Stderr(OutputStream out) {
            this(out, "stderr");
        }
    }

    /**
     * A bound, listening socket; the guest calls sock_accept on it. With {@code tls} present every accepted
     * connection is TLS 1.3-terminated by the host (server mode, the context's key and certificate) and the
     * guest sees plaintext. With {@code requireClientCertificate} a client must present a certificate that
     * the context's trust managers accept (name the client CA there), or its handshake fails.
     */
    record Listener(
            ServerSocketChannel channel, String name, Optional<SSLContext> tls, boolean requireClientCertificate)
            implements FdSpec {
        public Listener {
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(tls, "tls");
            if (requireClientCertificate && tls.isEmpty()) {
                throw new IllegalArgumentException("listener " + name + ": client certificates need TLS");
            }
        }

        public Listener(ServerSocketChannel channel, String name, Optional<SSLContext> tls) {
            this(channel, name, tls, false);
        }
    }

    /**
     * A connected stream socket (Enarx "connect"). With {@code tls} present the host runs a TLS 1.3 client
     * handshake: SNI = {@code peerHost}, and the server certificate must chain to the context's trust
     * managers and name {@code peerHost} (HTTPS hostname verification). The guest sees plaintext; a failed
     * handshake shows as an error on the fd's first read or write.
     */
    record Stream(SocketChannel channel, String name, Optional<SSLContext> tls, String peerHost) implements FdSpec {
        public Stream {
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(tls, "tls");
        }

        public Stream(SocketChannel channel, String name) {
            this(channel, name, Optional.empty(), name);
        }
    }
}
