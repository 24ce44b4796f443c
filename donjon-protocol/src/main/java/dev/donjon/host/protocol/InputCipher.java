package dev.donjon.host.protocol;

import org.bouncycastle.crypto.hpke.HPKEContext;

/**
 * The client -> Keep input channel (the guest's stdin): a {@link ChunkCipher} labelled "input", so that the host
 * relaying it can neither read, alter, reorder nor drop a chunk, nor pass output chunks off as input. The stream ends
 * with an {@link InputFrame.End} frame: a stream that stops without one was cut, and the Keep does not take that for
 * end-of-file. One instance seals or opens, in order; not thread-safe.
 */
public final class InputCipher {

    private final ChunkCipher chunks;
    private boolean ended;

    InputCipher(HPKEContext context) {
        this.chunks = new ChunkCipher(context, "input");
    }

    /** Client side: encrypts the next frame. */
    public byte[] seal(InputFrame frame) {
        if (ended) throw new IllegalStateException("the input stream has already ended");
        byte[] ct = chunks.seal(frame.encode());
        ended = frame instanceof InputFrame.End;
        return ct;
    }

    /** Keep side: decrypts the next chunk; refuses anything that is not the next authentic one. */
    public InputFrame open(byte[] chunk) throws ProtocolException {
        if (ended) throw new ProtocolException("input chunk after the end of the stream");
        InputFrame frame = InputFrame.decode(chunks.open(chunk, "input"));
        ended = frame instanceof InputFrame.End;
        return frame;
    }

    public boolean ended() {
        return ended;
    }
}
