package dev.donjon.host.client;

import dev.donjon.host.protocol.InputCipher;
import dev.donjon.host.protocol.InputFrame;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The guest's stdin as the client uploads it: the user's stdin read as it comes (one read, up to 64 KiB, per chunk, so
 * that a line typed at a terminal leaves at once), each chunk sealed for the Keep and framed as {@code [u32
 * length][chunk]}, then the sealed end-of-input at end-of-file. The host relays the records and can read none of them.
 *
 * <p>It goes up as successive uploads ({@link #nextUpload}), each ending at a record boundary after {@link
 * #UPLOAD_BYTES}, within the agent's body limit; while stdin is quiet an empty record every {@link #KEEP_ALIVE} keeps
 * the upload alive (the agent's edge drops a request that sends nothing for a minute).
 */
final class SealedInput {

    static final long UPLOAD_BYTES = 32L << 20;
    static final Duration KEEP_ALIVE = Duration.ofSeconds(20);
    private static final Object END = new Object();

    private final InputCipher cipher;
    /** What the reader thread read: byte[] chunks, then END (a few chunks ahead at most: back-pressure to stdin). */
    private final BlockingQueue<Object> reads = new ArrayBlockingQueue<>(4);

    private volatile boolean ended;

    SealedInput(InputStream stdin, InputCipher cipher) {
        this.cipher = cipher;
        // a platform daemon thread: it may block in a terminal read for as long as the deployment lasts, and after it
        Thread.ofPlatform().daemon().name("donjon-deploy-stdin-read").start(() -> readAll(stdin));
    }

    private void readAll(InputStream stdin) {
        byte[] buffer = new byte[InputFrame.MAX_DATA];
        try {
            try {
                for (int n; (n = stdin.read(buffer)) >= 0; ) {
                    if (n > 0) reads.put(Arrays.copyOf(buffer, n));
                }
            } catch (IOException e) {
                // a stdin that fails (a terminal hung up) ends like one that closed, as it would for a local program
            }
            reads.put(END);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** True once the end-of-input record has been handed to an upload. */
    boolean ended() {
        return ended;
    }

    /** The body of the next upload: records until about {@link #UPLOAD_BYTES} went up, or the end of input. */
    InputStream nextUpload() {
        return new InputStream() {
            private ByteBuffer record = ByteBuffer.allocate(0);
            private long given;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) return 0;
                if (!record.hasRemaining()) {
                    if (ended || given >= UPLOAD_BYTES) return -1;
                    record = nextRecord();
                    given += record.remaining();
                }
                int n = Math.min(len, record.remaining());
                record.get(b, off, n);
                return n;
            }

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }
        };
    }

    /** The next record: a sealed chunk of stdin, the sealed end, or (stdin quiet) an empty keep-alive record. */
    private ByteBuffer nextRecord() throws IOException {
        Object next;
        try {
            next = reads.poll(KEEP_ALIVE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading stdin");
        }
        if (next == null) return ByteBuffer.allocate(4).putInt(0).flip();
        InputFrame frame = next == END ? new InputFrame.End() : new InputFrame.Data((byte[]) next);
        byte[] sealed = cipher.seal(frame);
        if (next == END) ended = true;
        return ByteBuffer.allocate(4 + sealed.length)
                .putInt(sealed.length)
                .put(sealed)
                .flip();
    }
}
