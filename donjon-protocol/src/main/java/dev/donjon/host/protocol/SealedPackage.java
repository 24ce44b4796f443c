package dev.donjon.host.protocol;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The only form in which a workload crosses the host: "DJSP", version 1, the suite's KEM/KDF/AEAD ids (u16 each),
 * u16 encapsulated-key length, the encapsulated key, then the HPKE ciphertext of the package archive.
 */
public record SealedPackage(byte[] encapsulatedKey, byte[] ciphertext) {

    private static final byte[] MAGIC = {'D', 'J', 'S', 'P'};
    private static final int VERSION = 1;
    private static final int HEADER = 4 + 1 + 6 + 2;

    public SealedPackage {
        encapsulatedKey = encapsulatedKey.clone();
    }

    public byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(HEADER + encapsulatedKey.length + ciphertext.length);
        out.put(MAGIC)
                .put((byte) VERSION)
                .putShort(DeploySuite.KEM)
                .putShort(DeploySuite.KDF)
                .putShort(DeploySuite.AEAD)
                .putShort((short) encapsulatedKey.length)
                .put(encapsulatedKey)
                .put(ciphertext);
        return out.array();
    }

    public static SealedPackage decode(byte[] bytes) throws ProtocolException {
        if (bytes.length < HEADER || !Arrays.equals(Arrays.copyOf(bytes, 4), MAGIC)) {
            throw new ProtocolException("not a sealed Donjon package (bad magic)");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes, 4, bytes.length - 4);
        int version = in.get() & 0xFF;
        if (version != VERSION) throw new ProtocolException("sealed package version " + version + " is not supported");
        short kem = in.getShort(), kdf = in.getShort(), aead = in.getShort();
        if (kem != DeploySuite.KEM || kdf != DeploySuite.KDF || aead != DeploySuite.AEAD) {
            throw new ProtocolException(String.format(
                    "sealed package uses HPKE suite 0x%04x/0x%04x/0x%04x, not the expected one", kem, kdf, aead));
        }
        int encLength = Short.toUnsignedInt(in.getShort());
        if (encLength != DeploySuite.PUBLIC_KEY_BYTES || in.remaining() < encLength) {
            throw new ProtocolException("sealed package has a malformed encapsulated key");
        }
        byte[] enc = new byte[encLength];
        in.get(enc);
        byte[] ct = new byte[in.remaining()];
        in.get(ct);
        return new SealedPackage(enc, ct);
    }
}
