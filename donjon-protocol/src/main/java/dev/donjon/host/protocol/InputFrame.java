package dev.donjon.host.protocol;

import java.util.Arrays;

/** One piece of the guest's stdin, as the client sends it and the Keep reads it after decryption. */
public sealed interface InputFrame {

    /** Bytes for the guest's stdin (the client sends at most {@link #MAX_DATA} per frame). */
    record Data(byte[] data) implements InputFrame {}

    /** The end of the guest's stdin: it reads end-of-file after the data before it. The last frame of a stream. */
    record End() implements InputFrame {}

    int MAX_DATA = 64 << 10;

    default byte[] encode() {
        return switch (this) {
            case Data d -> {
                byte[] out = new byte[d.data().length + 1];
                out[0] = 1;
                System.arraycopy(d.data(), 0, out, 1, d.data().length);
                yield out;
            }
            case End e -> new byte[] {2};
        };
    }

    static InputFrame decode(byte[] plain) throws ProtocolException {
        if (plain.length == 0) throw new ProtocolException("empty input frame");
        return switch (plain[0]) {
            case 1 -> {
                if (plain.length - 1 > MAX_DATA)
                    throw new ProtocolException("input frame larger than " + MAX_DATA + " bytes");
                yield new Data(Arrays.copyOfRange(plain, 1, plain.length));
            }
            case 2 -> {
                if (plain.length != 1) throw new ProtocolException("malformed end-of-input frame");
                yield new End();
            }
            default -> throw new ProtocolException("unknown input frame type " + plain[0]);
        };
    }
}
