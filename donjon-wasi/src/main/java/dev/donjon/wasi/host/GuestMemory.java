package dev.donjon.wasi.host;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;

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

    default void write(int addr, byte[] src) {
        write(addr, src, 0, src.length);
    }

    /** Copies {@code length} guest bytes at {@code addr} to the start of {@code dst} (native memory a system call reads). */
    default void copyTo(int addr, MemorySegment dst, int length) {
        MemorySegment.copy(read(addr, length), 0, dst, JAVA_BYTE, 0, length);
    }

    /** Copies the first {@code length} bytes of {@code src} (native memory a system call filled) to {@code addr}. */
    default void copyFrom(MemorySegment src, int addr, int length) {
        write(addr, src.asSlice(0, length).toArray(JAVA_BYTE));
    }

    /**
     * The guest's bytes {@code [addr, addr + length)} as a buffer that reads and writes them in place (position 0,
     * limit {@code length}): sockets move data between the kernel or the TLS engine and guest memory without a copy
     * of their own. Null where the memory is not one array (then callers copy). Valid during the current host call
     * only: memory can move when the guest grows it.
     */
    default java.nio.ByteBuffer view(int addr, int length) {
        return null;
    }

    /** An access outside the guest's memory. */
    final class Fault extends RuntimeException {
        public Fault(String message) {
            super(message, null, false, false);
        }
    }
}
