package dev.donjon.host.link;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * One message on the pipe between the host agent and a Keep process ({@code [u8 type][u32 length][payload]}). What
 * crosses it is either public (the offer, refusals) or ciphertext (packages, output): this pipe runs through the
 * untrusted host, so nothing secret may ever be put on it in clear.
 */
public record LinkFrame(Type type, byte[] payload) {

    /** Largest frame accepted: a sealed 100 MiB module plus its archive header and the AEAD tag. */
    public static final int MAX_PAYLOAD = (100 << 20) + (2 << 20);

    public enum Type {
        /** agent -> Keep: the client's 32-byte nonce. */
        HELLO(1),
        /** Keep -> agent: the offer JSON (id, backend, public key, evidence). */
        OFFER(2),
        /** agent -> Keep: a sealed package. */
        PACKAGE(3),
        /** Keep -> agent: the package opened; the guest is starting. */
        ACCEPTED(4),
        /** Keep -> agent: a message was refused; the payload is a one-line, non-secret reason. */
        REFUSED(5),
        /** Keep -> agent: one encrypted output chunk, for the client. */
        OUTPUT(6),
        /** agent -> Keep: one encrypted input chunk (the guest's stdin), from the client. */
        INPUT(7);

        final int code;

        Type(int code) {
            this.code = code;
        }

        static Type of(int code) throws IOException {
            for (Type t : values()) if (t.code == code) return t;
            throw new IOException("unknown link frame type " + code);
        }
    }

    public static LinkFrame of(Type type, byte[] payload) {
        return new LinkFrame(type, payload);
    }

    /** Writes and flushes one frame; callers serialize writers. */
    public void writeTo(OutputStream out) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        d.writeByte(type.code);
        d.writeInt(payload.length);
        d.write(payload);
        d.flush();
    }

    /** Reads one frame; {@link EOFException} at a clean end of stream before a frame starts. */
    public static LinkFrame readFrom(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int type = d.read();
        if (type < 0) throw new EOFException("link closed");
        int length = d.readInt();
        if (length < 0 || length > MAX_PAYLOAD)
            throw new IOException("link frame of " + Integer.toUnsignedString(length) + " bytes is too large");
        byte[] payload = new byte[length];
        d.readFully(payload);
        return new LinkFrame(Type.of(type), payload);
    }
}
