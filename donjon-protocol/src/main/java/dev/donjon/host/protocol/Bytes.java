package dev.donjon.host.protocol;

/** Big-endian length prefixes of the deploy wire formats. */
final class Bytes {
    private Bytes() {}

    static byte[] u16(int v) {
        if (v < 0 || v > 0xFFFF) throw new IllegalArgumentException("length " + v + " does not fit 16 bits");
        return new byte[] {(byte) (v >>> 8), (byte) v};
    }

    static byte[] u64(long v) {
        byte[] b = new byte[8];
        for (int i = 7; i >= 0; i--) {
            b[i] = (byte) v;
            v >>>= 8;
        }
        return b;
    }
}
