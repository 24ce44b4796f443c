package dev.donjon.attestation;

import java.util.Random;

/**
 * The XOR masks the generated negatives flip each signed byte with: the lowest bit, the highest bit, every bit, and a
 * random non-zero mask drawn per byte from a fixed seed (so a failure names a reproducible mask).
 */
public final class FlipMasks {

    private final Random random;

    public FlipMasks(long seed) {
        this.random = new Random(seed);
    }

    /** The masks for the next byte; call once per byte, in order, for the same random masks on every run. */
    public int[] next() {
        return new int[] {0x01, 0x80, 0xFF, 1 + random.nextInt(0xFF)};
    }
}
