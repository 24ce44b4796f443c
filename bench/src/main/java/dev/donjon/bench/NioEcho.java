package dev.donjon.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The baseline for {@link EchoConnections}: an echo server in plain Java NIO with the same shape as the guest's
 * loop (one thread, one selector, non-blocking sockets, stop reading a client while its echo is unsent).
 */
final class NioEcho implements AutoCloseable {
    private final ServerSocketChannel server;
    private final Selector selector;
    private final Thread thread;

    private NioEcho(ServerSocketChannel server, Selector selector) {
        this.server = server;
        this.selector = selector;
        this.thread = Thread.ofPlatform().name("nio-echo").start(this::loop);
    }

    static NioEcho start(int backlog) throws IOException {
        ServerSocketChannel server =
                ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), backlog);
        server.configureBlocking(false);
        Selector selector = Selector.open();
        server.register(selector, SelectionKey.OP_ACCEPT);
        return new NioEcho(server, selector);
    }

    int port() throws IOException {
        return ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    private void loop() {
        try {
            while (selector.isOpen()) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    if (!key.isValid()) continue;
                    if (key.isAcceptable()) accept();
                    else step(key);
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.nio.channels.ClosedSelectorException stopped) {
            // close() was called
        }
    }

    private void accept() throws IOException {
        for (SocketChannel ch; (ch = server.accept()) != null; ) {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.register(selector, SelectionKey.OP_READ, ByteBuffer.allocate(16_384));
        }
    }

    private static void step(SelectionKey key) {
        SocketChannel ch = (SocketChannel) key.channel();
        ByteBuffer buf = (ByteBuffer) key.attachment();
        try {
            if (key.isReadable()) {
                if (ch.read(buf) < 0) {
                    ch.close();
                    return;
                }
            }
            buf.flip();
            ch.write(buf);
            boolean pending = buf.hasRemaining();
            buf.compact();
            key.interestOps(pending ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        } catch (IOException e) {
            try {
                ch.close();
            } catch (IOException ignored) {
                /* already failing */
            }
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        selector.close();
        server.close();
        thread.join();
    }
}
