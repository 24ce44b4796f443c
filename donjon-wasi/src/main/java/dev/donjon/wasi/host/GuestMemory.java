package dev.donjon.wasi.host;

/**
 * The guest's linear memory as the WASI functions see it. Addresses are unsigned 32-bit offsets carried in
 * ints; every access outside the memory throws {@link Fault}, which a WASI call reports as EFAULT.
 */
public interface GuestMemory {

    byte readU8(int addr);
    short readU16(int addr);
    int readI32(int addr);
    long readI64(int addr);
    void writeU8(int addr, int value);
    void writeU16(int addr, int value);
    void writeI32(int addr, int value);
    void writeI64(int addr, long value);
    byte[] read(int addr, int length);
    void write(int addr, byte[] src, int offset, int length);
    /** Current size in bytes. */
    long size();

    default void write(int addr, byte[] src) { write(addr, src, 0, src.length); }

    /** Copies {@code length} bytes at {@code addr} into {@code dst}, whose position advances (socket sends). */
    default void read(int addr, int length, java.nio.ByteBuffer dst) { dst.put(read(addr, length)); }

    /** Copies {@code length} bytes from {@code src}, whose position advances, to {@code addr} (socket receives). */
    default void write(int addr, java.nio.ByteBuffer src, int length) {
        byte[] b = new byte[length];
        src.get(b);
        write(addr, b);
    }

    /** An access outside the guest's memory. */
    final class Fault extends RuntimeException {
        public Fault(String message) { super(message, null, false, false); }
    }
}
