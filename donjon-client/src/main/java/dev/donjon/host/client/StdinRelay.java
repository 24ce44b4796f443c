package dev.donjon.host.client;

import dev.donjon.host.protocol.InputCipher;
import dev.donjon.host.protocol.InputFrame;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Streams the owner's stdin to the guest, sealed: reads what is there, seals it in frames of at most
 * {@link InputFrame#MAX_DATA} bytes ({@link InputCipher}: only the attested Keep can open them, in order), and hands
 * the sealed chunks to the agent one batch at a time (what one read gave, plus whatever more is already available, up
 * to {@link #MAX_BATCH} bytes); at the end of stdin, a sealed end frame. One batch at a time keeps the order, and a
 * guest that does not read slows the reading down (the agent relays each batch into the Keep's pipe before it
 * answers). Each read returns what is available, so a line typed at a terminal reaches the guest at once.
 */
final class StdinRelay {

    /** Where sealed chunks go: the agent, for one Keep. */
    interface Sink {
        /** @return false if the Keep takes no more input (it has ended) */
        boolean send(List<byte[]> sealedChunks) throws IOException, AgentClient.AgentException;
    }

    static final int MAX_BATCH = 1 << 20;

    private final InputStream in;
    private final InputCipher cipher;
    private final Sink sink;

    StdinRelay(InputStream in, InputCipher cipher, Sink sink) {
        this.in = in;
        this.cipher = cipher;
        this.sink = sink;
    }

    /**
     * Relays until stdin ends (then sends the end frame) or the Keep takes no more. A failure to read stdin ends the
     * guest's input like an end of file would, after what was read: the guest never receives made-up bytes.
     */
    void run() throws IOException, AgentClient.AgentException {
        byte[] buf = new byte[InputFrame.MAX_DATA];
        while (true) {
            List<byte[]> batch = new ArrayList<>();
            boolean end = false;
            int size = 0;
            do {
                int n;
                try {
                    n = in.read(buf);
                } catch (IOException e) {
                    n = -1;
                }
                if (n < 0) {
                    end = true;
                    break;
                }
                if (n == 0) continue;
                batch.add(cipher.seal(new InputFrame.Data(Arrays.copyOf(buf, n))));
                size += n;
            } while (size < MAX_BATCH && available() > 0);
            if (end) batch.add(cipher.seal(new InputFrame.End()));
            if (!batch.isEmpty() && !sink.send(batch)) return;
            if (end) return;
        }
    }

    private int available() {
        try {
            return in.available();
        } catch (IOException e) {
            return 0;
        }
    }
}
