package dev.donjon.host.protocol;

import org.bouncycastle.crypto.hpke.HPKEContext;

/**
 * The Keep -> client output channel ({@link ChunkChannel} "output"), so only the client that sealed the package can
 * read it, in order and complete: a stream must end with an {@link OutputFrame.Exit} or {@link OutputFrame.Failed}
 * frame, so truncation shows too. One instance seals or opens one direction, in order; not thread-safe.
 */
public final class OutputCipher {

    private final ChunkChannel channel;
    private boolean ended;

    OutputCipher(HPKEContext context) { this.channel = new ChunkChannel(context, "output"); }

    /** Keep side: encrypts the next frame. */
    public byte[] seal(OutputFrame frame) {
        if (ended) throw new IllegalStateException("the output stream has already ended");
        byte[] ct = channel.seal(frame.encode());
        ended = frame.isEnd();
        return ct;
    }

    /** Client side: decrypts the next chunk; refuses anything that is not the next authentic chunk. */
    public OutputFrame open(byte[] chunk) throws ProtocolException {
        if (ended) throw new ProtocolException("output chunk after the end of the stream");
        OutputFrame frame = OutputFrame.decode(channel.open(chunk, "output"));
        ended = frame.isEnd();
        return frame;
    }

    public boolean ended() { return ended; }
}
