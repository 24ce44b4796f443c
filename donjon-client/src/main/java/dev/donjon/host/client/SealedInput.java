package dev.donjon.host.client;

import dev.donjon.host.protocol.InputCipher;
import dev.donjon.host.protocol.InputFrame;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * The body of the agent's input upload: the user's stdin read as it comes (one read, up to 64 KiB, per chunk, so that a
 * line typed at a terminal leaves at once), each chunk sealed for the Keep and framed as {@code [u32 length][chunk]},
 * then the sealed end-of-input at end-of-file. The host relays the records and can read none of them.
 */
final class SealedInput extends InputStream {

    private final InputStream stdin;
    private final InputCipher cipher;
    private final byte[] readBuffer = new byte[InputFrame.MAX_DATA];
    private ByteBuffer record = ByteBuffer.allocate(0);
    private boolean ended;

    SealedInput(InputStream stdin, InputCipher cipher) {
        this.stdin = stdin;
        this.cipher = cipher;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        if (!record.hasRemaining() && !next()) return -1;
        int n = Math.min(len, record.remaining());
        record.get(b, off, n);
        return n;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    /** Reads the next chunk of stdin (or its end) into the next record; false after the end-of-input record. */
    private boolean next() throws IOException {
        if (ended) return false;
        InputFrame frame;
        int n;
        do {
            n = stdin.read(readBuffer);
        } while (n == 0);
        if (n < 0) {
            frame = new InputFrame.End();
            ended = true;
        } else {
            frame = new InputFrame.Data(java.util.Arrays.copyOf(readBuffer, n));
        }
        byte[] sealed;
        synchronized (cipher) {
            sealed = cipher.seal(frame);
        }
        record = ByteBuffer.allocate(4 + sealed.length).putInt(sealed.length).put(sealed).flip();
        return true;
    }
}
