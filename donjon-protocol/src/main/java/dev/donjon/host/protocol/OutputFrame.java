package dev.donjon.host.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** One piece of what the guest produced, as the client will see it after decryption. */
public sealed interface OutputFrame {

    /** Bytes the guest wrote to stdout. */
    record Stdout(byte[] data) implements OutputFrame {}

    /** Bytes the guest wrote to stderr. */
    record Stderr(byte[] data) implements OutputFrame {}

    /** The guest ended with this exit code; the last frame of a stream. */
    record Exit(int code) implements OutputFrame {}

    /** The guest could not be run or was stopped (trap, limit, bad Enarx.toml); the last frame of a stream. */
    record Failed(String reason) implements OutputFrame {}

    default boolean isEnd() {
        return this instanceof Exit || this instanceof Failed;
    }

    default byte[] encode() {
        return switch (this) {
            case Stdout s -> tagged(1, s.data());
            case Stderr s -> tagged(2, s.data());
            case Exit e -> tagged(3, ByteBuffer.allocate(4).putInt(e.code()).array());
            case Failed f -> tagged(4, f.reason().getBytes(StandardCharsets.UTF_8));
        };
    }

    static OutputFrame decode(byte[] plain) throws ProtocolException {
        if (plain.length == 0) throw new ProtocolException("empty output frame");
        byte[] body = Arrays.copyOfRange(plain, 1, plain.length);
        return switch (plain[0]) {
            case 1 -> new Stdout(body);
            case 2 -> new Stderr(body);
            case 3 -> {
                if (body.length != 4) throw new ProtocolException("malformed exit frame");
                yield new Exit(ByteBuffer.wrap(body).getInt());
            }
            case 4 -> new Failed(new String(body, StandardCharsets.UTF_8));
            default -> throw new ProtocolException("unknown output frame type " + plain[0]);
        };
    }

    private static byte[] tagged(int tag, byte[] body) {
        byte[] out = new byte[body.length + 1];
        out[0] = (byte) tag;
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }
}
