package dev.donjon.abi.intel;

import dev.donjon.abi.FormatException;
import java.util.Arrays;

/** Bounds-checked little-endian cursor over quote bytes; every overrun is a malformed-evidence error naming the field. */
final class LittleEndianReader {
    private final byte[] data;
    private final int end;
    private int pos;

    LittleEndianReader(byte[] data, int start, int end) {
        this.data = data;
        this.pos = start;
        this.end = end;
    }

    int position() {
        return pos;
    }

    int remaining() {
        return end - pos;
    }

    private void need(int n, String field) throws FormatException {
        if (n < 0 || n > end - pos) {
            throw new FormatException("truncated quote: " + field + " needs " + n + " bytes at offset " + pos + ", "
                    + (end - pos) + " left");
        }
    }

    int u16(String field) throws FormatException {
        need(2, field);
        int v = (data[pos] & 0xff) | (data[pos + 1] & 0xff) << 8;
        pos += 2;
        return v;
    }

    long u32(String field) throws FormatException {
        need(4, field);
        long v = (data[pos] & 0xffL)
                | (data[pos + 1] & 0xffL) << 8
                | (data[pos + 2] & 0xffL) << 16
                | (data[pos + 3] & 0xffL) << 24;
        pos += 4;
        return v;
    }

    /** A u32 length that must fit in what is left. */
    int length32(String field) throws FormatException {
        long v = u32(field);
        if (v > end - pos) {
            throw new FormatException("quote " + field + " " + v + " exceeds the " + (end - pos) + " bytes left");
        }
        return (int) v;
    }

    byte[] bytes(int n, String field) throws FormatException {
        need(n, field);
        byte[] out = Arrays.copyOfRange(data, pos, pos + n);
        pos += n;
        return out;
    }
}
