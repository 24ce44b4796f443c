package dev.donjon.host.protocol;

import org.bouncycastle.crypto.hpke.HPKEContext;

/**
 * The Keep -> client output channel (a {@link ChunkCipher} labelled "output"), so only the client that sealed the
 * package can read it. A stream must end with an {@link OutputFrame.Exit} or {@link OutputFrame.Failed} frame, so
 * truncation shows too. One instance seals or opens one direction, in order; not thread-safe.
 */
public final class OutputCipher {

    private final ChunkCipher chunks;
    private boolean ended;

    OutputCipher(HPKEContext context) {
        this.chunks = new ChunkCipher(context, "output");
    }

    /** Keep side: encrypts the next frame. */
    public byte[] seal(OutputFrame frame) {
        if (ended) throw new IllegalStateException("the output stream has already ended");
        byte[] ct = chunks.seal(frame.encode());
        ended = frame.isEnd();
        return ct;
    }

    /** Client side: decrypts the next chunk; refuses anything that is not the next authentic chunk. */
    public OutputFrame open(byte[] chunk) throws ProtocolException {
        if (ended) throw new ProtocolException("output chunk after the end of the stream");
        OutputFrame frame = OutputFrame.decode(chunks.open(chunk, "output"));
        ended = frame.isEnd();
        return frame;
    }

    public boolean ended() {
        return ended;
    }
}
