package dev.donjon.host.protocol;

import org.bouncycastle.crypto.hpke.HPKEContext;

/**
 * The client -> Keep channel for the guest's stdin ({@link ChunkChannel} "input"): only the Keep the package was
 * sealed to can read it, and the host that relays it can neither read, reorder, drop, replay nor end it early (the end
 * is itself a sealed {@link InputFrame.End}). Once a chunk fails, the stream is dead: nothing after it is accepted.
 * One instance seals or opens one direction, in order; not thread-safe.
 */
public final class InputCipher {

    private final ChunkChannel channel;
    private boolean ended;
    private boolean broken;

    InputCipher(HPKEContext context) { this.channel = new ChunkChannel(context, "input"); }

    /** Client side: encrypts the next frame. */
    public byte[] seal(InputFrame frame) {
        if (ended) throw new IllegalStateException("the input stream has already ended");
        if (frame instanceof InputFrame.Data d && d.data().length > InputFrame.MAX_DATA)
            throw new IllegalArgumentException("input frame of " + d.data().length + " bytes exceeds " + InputFrame.MAX_DATA);
        byte[] ct = channel.seal(frame.encode());
        ended = frame instanceof InputFrame.End;
        return ct;
    }

    /** Keep side: decrypts the next chunk; refuses anything that is not the next authentic chunk, and all after it. */
    public InputFrame open(byte[] chunk) throws ProtocolException {
        if (broken) throw new ProtocolException("input chunk after a refused one");
        if (ended) throw new ProtocolException("input chunk after the end of the stream");
        try {
            InputFrame frame = InputFrame.decode(channel.open(chunk, "input"));
            ended = frame instanceof InputFrame.End;
            return frame;
        } catch (ProtocolException e) {
            broken = true;
            throw e;
        }
    }
}
