package dev.donjon.wasi.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Readiness#poke}: how work finished on another thread (a TLS handshake task) wakes the guest's wait, when
 * nothing on the network will.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReadinessTest {

    /** A connected pair: the server side as the guest's socket, the client side silent. */
    private record Pair(ServerSocketChannel server, SocketChannel client, Descriptor.Socket socket)
            implements AutoCloseable {
        static Pair open() throws Exception {
            ServerSocketChannel server =
                    ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel client = SocketChannel.open(server.getLocalAddress());
            SocketChannel accepted = server.accept();
            accepted.configureBlocking(false);
            return new Pair(server, client, new Descriptor.Socket(new Connection.Plain(accepted)));
        }

        @Override
        public void close() throws Exception {
            socket.connection.close();
            client.close();
            server.close();
        }
    }

    @Test
    void aPokeFromAnotherThreadEndsAWaitThatNoSocketWouldEnd() throws Exception {
        try (Readiness readiness = new Readiness();
                Pair pair = Pair.open()) {
            Readiness.Slot slot = readiness.slot(pair.socket());
            CompletableFuture<Integer> wait = CompletableFuture.supplyAsync(() -> {
                readiness.beginRound();
                readiness.want(slot, SelectionKey.OP_READ, 0, true);
                return readiness.await(-1);
            });
            try {
                wait.get(300, TimeUnit.MILLISECONDS);
                throw new AssertionError("the wait ended with nothing to read and no poke");
            } catch (TimeoutException expected) {
                // still waiting, as it should
            }
            readiness.poke();
            assertEquals(0, wait.get(10, TimeUnit.SECONDS), "a poke ends the wait with nothing ready");
        }
    }

    @Test
    void aPokeBeforeTheWaitIsNotLost() throws Exception {
        try (Readiness readiness = new Readiness();
                Pair pair = Pair.open()) {
            Readiness.Slot slot = readiness.slot(pair.socket());
            readiness.poke(); // the task ended between the guest asking and the guest waiting
            readiness.beginRound();
            readiness.want(slot, SelectionKey.OP_READ, 0, true);
            assertEquals(0, readiness.await(-1));
            // consumed: the next wait waits for the socket again, and ends when data comes
            pair.client().write(ByteBuffer.wrap(new byte[] {1}));
            readiness.beginRound();
            readiness.want(slot, SelectionKey.OP_READ, 0, true);
            assertEquals(1, readiness.await(-1));
            assertTrue(readiness.ready().contains(slot));
            assertFalse(readiness.ready().isEmpty());
        }
    }
}
