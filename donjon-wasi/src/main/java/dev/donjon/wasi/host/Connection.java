package dev.donjon.wasi.host;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * A non-blocking byte stream over a socket channel: plain, or TLS terminated by the host. The guest's
 * blocking calls are built on top by waiting on the run's selector.
 */
public sealed interface Connection permits Connection.Plain, TlsConnection {

    SocketChannel channel();

    /** Reads what is available now into {@code dsts}, in order: bytes read, 0 if none yet, -1 at end of stream. */
    long read(ByteBuffer[] dsts) throws IOException;

    /** Writes what can be written now from {@code srcs}, in order (possibly 0 bytes). */
    long write(ByteBuffer[] srcs) throws IOException;

    /** True if a read would return data, end of stream or an error without waiting for the network. */
    default boolean readReadyNow() {
        return false;
    }

    /** True if a write would accept data or fail without waiting for the network. */
    default boolean writeReadyNow() {
        return false;
    }

    /**
     * The selector reported the channel ready for {@code readyOps}: would a read make progress now? A plain
     * socket trusts the selector; TLS first lets the engine consume what arrived (a handshake message is
     * not readable data).
     */
    default boolean readableAfter(int readyOps) {
        return (readyOps & readInterest()) != 0;
    }

    /** As {@link #readableAfter}, for writes. */
    default boolean writableAfter(int readyOps) {
        return (readyOps & writeInterest()) != 0;
    }

    /**
     * How this connection wakes a guest waiting on the run's selector when work finished on another thread (a TLS
     * handshake step) changed what the guest may do with it. Called when the channel is registered.
     */
    default void wakeWith(Runnable wakeup) {}

    /** The guest is about to wait for this connection: memory it only needs while busy can be given back. */
    default void beforeWait() {}

    /** Selector interest needed before {@link #read} can make progress. */
    default int readInterest() {
        return java.nio.channels.SelectionKey.OP_READ;
    }

    /** Selector interest needed before {@link #write} can make progress. */
    default int writeInterest() {
        return java.nio.channels.SelectionKey.OP_WRITE;
    }

    void shutdownInput() throws IOException;

    void shutdownOutput() throws IOException;

    void close() throws IOException;

    /** A plain TCP connection. */
    record Plain(SocketChannel channel) implements Connection {
        @Override
        public long read(ByteBuffer[] dsts) throws IOException {
            return channel.read(dsts);
        }

        @Override
        public long write(ByteBuffer[] srcs) throws IOException {
            return channel.write(srcs);
        }

        @Override
        public void shutdownInput() throws IOException {
            channel.shutdownInput();
        }

        @Override
        public void shutdownOutput() throws IOException {
            channel.shutdownOutput();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
