package dev.donjon.host.keep;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.BooleanSupplier;

/**
 * The guest's stdin in a deployed Keep: what the client sent on the input channel, decrypted, in order. The link
 * thread {@linkplain #offer offers} data and the guest reads it; past {@link #CAPACITY} buffered bytes the link thread
 * waits for the guest to read (the host's pipe then fills and the client's upload slows down: back-pressure end to
 * end). Only an authenticated end-of-input frame is end-of-file; a stream the host cut or tampered with makes the read
 * fail instead, so a truncated input can never pass for a complete one.
 */
final class GuestInput extends InputStream {

    static final int CAPACITY = 1 << 20;
    private static final Duration CHECK_EVERY = Duration.ofSeconds(1);

    private final Deque<byte[]> chunks = new ArrayDeque<>();
    private final BooleanSupplier agentAlive;
    private int buffered;
    private int offset; // into chunks.peekFirst()
    private boolean ended;
    private String failure;

    /** @param agentAlive asked while the link thread waits for room, so that a Keep never outlives its agent */
    GuestInput(BooleanSupplier agentAlive) {
        this.agentAlive = agentAlive;
    }

    /**
     * Adds data for the guest, waiting while the buffer is full.
     *
     * @return false when the agent died while waiting: the caller ends the Keep
     */
    synchronized boolean offer(byte[] data) throws InterruptedException {
        while (buffered >= CAPACITY && !ended && failure == null) {
            wait(CHECK_EVERY.toMillis());
            if (buffered >= CAPACITY && !agentAlive.getAsBoolean()) return false;
        }
        if (ended || failure != null || data.length == 0) return true;
        chunks.addLast(data);
        buffered += data.length;
        notifyAll();
        return true;
    }

    /** The client's authenticated end of input: the guest reads end-of-file after what is buffered. */
    synchronized void end() {
        ended = true;
        notifyAll();
    }

    /** The input cannot continue (cut, tampered): every read from now on fails with {@code reason}. */
    synchronized void fail(String reason) {
        if (failure == null) failure = reason;
        chunks.clear();
        buffered = 0;
        notifyAll();
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        try {
            while (chunks.isEmpty() && !ended && failure == null) wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while reading stdin");
        }
        if (failure != null) throw new IOException(failure);
        if (chunks.isEmpty()) return -1;
        byte[] first = chunks.peekFirst();
        int n = Math.min(len, first.length - offset);
        System.arraycopy(first, offset, b, off, n);
        offset += n;
        buffered -= n;
        if (offset == first.length) {
            chunks.removeFirst();
            offset = 0;
        }
        notifyAll();
        return n;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public synchronized int available() {
        return buffered;
    }
}
