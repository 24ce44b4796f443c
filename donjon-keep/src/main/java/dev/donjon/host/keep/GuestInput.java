package dev.donjon.host.keep;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A deployed guest's stdin: the client's input, already opened by the Keep's link reader, queued until the guest reads
 * it. The queue is short, so a guest that does not read holds up the link reader, the agent's pipe fills and the
 * client is slowed down: back-pressure from the guest to the client's stdin, with no unbounded buffer on the way. A
 * read returns what one chunk holds (as a pipe returns what was written), so interactive input stays interactive.
 */
final class GuestInput extends InputStream {

    private static final int QUEUED_CHUNKS = 16;

    private sealed interface Item {}

    private record Data(byte[] bytes) implements Item {}

    private record End() implements Item {}

    private record Broken(String reason) implements Item {}

    private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
    private byte[] current = new byte[0];
    private int position;
    private boolean ended;
    private String broken;

    /** Link side: queues bytes for the guest, waiting at most {@code wait} for room; false if there was none. */
    boolean offer(byte[] bytes, long wait, TimeUnit unit) throws InterruptedException {
        return bytes.length == 0 || queue.offer(new Data(bytes), wait, unit);
    }

    /** Link side: the client's stdin ended; the guest reads end-of-file after what is queued. */
    boolean offerEnd(long wait, TimeUnit unit) throws InterruptedException { return queue.offer(new End(), wait, unit); }

    /**
     * Link side: the input can no longer be trusted or continued; the guest's next read fails with {@code reason}
     * after what is queued. Never waits: if the queue is full the guest meets the failure when it drains it.
     */
    void breakOff(String reason) {
        queue.clear(); // what was queued is authentic, but the guest must not read on into an input that broke
        queue.offer(new Broken(reason));
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        while (position == current.length) {
            if (broken != null) throw new IOException(broken);
            if (ended) return -1;
            Item next;
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("the guest was stopped while it read stdin");
            }
            switch (next) {
                case Data d -> {
                    current = d.bytes();
                    position = 0;
                }
                case End e -> ended = true;
                case Broken x -> broken = x.reason();
            }
        }
        int n = Math.min(len, current.length - position);
        System.arraycopy(current, position, b, off, n);
        position += n;
        return n;
    }
}
