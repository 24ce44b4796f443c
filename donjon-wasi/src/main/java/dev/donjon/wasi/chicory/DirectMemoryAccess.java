package dev.donjon.wasi.chicory;

import com.dylibso.chicory.runtime.Memory;

/**
 * Loads and stores of compiled guest code ({@link MemoryInLocals}): public because the guest's generated classes, in
 * their own class loader, call them in place of Chicory's {@code memoryRead*}/{@code memoryWrite*}, with the array
 * and size in place of the {@code Memory} where a function keeps them in locals, and with the {@code Memory} (a
 * {@link ContiguousMemory}, whose array and size they read) elsewhere.
 *
 * <p>Each access checks the wasm bounds itself (an effective address of 2 GiB or more arrives as a negative base,
 * or as a negative sum of base and offset), then reads the array through a VarHandle, which checks the Java array's
 * bounds again: a stale array could only make an access trap, never reach outside the array. The reads are at most
 * 34 bytes of bytecode, within C1's 35-byte inlining limit (the stores are 28-38 bytes, some just over it).
 */
public final class DirectMemoryAccess {
    private DirectMemoryAccess() {}

    /** The array compiled code keeps in a local. */
    public static byte[] bytes(Memory memory) {
        return ((ContiguousMemory) memory).bytes;
    }

    /** The memory's size in bytes, kept in a local beside {@link #bytes}. */
    public static int size(Memory memory) {
        return ((ContiguousMemory) memory).size;
    }

    public static byte readByte(int base, int offset, byte[] bytes, int size) {
        int addr = base + offset;
        if ((base | addr) < 0 || addr >= size) throw ContiguousMemory.outOfBounds();
        return bytes[addr];
    }

    public static void writeByte(int base, byte value, int offset, byte[] bytes, int size) {
        int addr = base + offset;
        if ((base | addr) < 0 || addr >= size) throw ContiguousMemory.outOfBounds();
        bytes[addr] = value;
    }

    public static short readShort(int base, int offset, byte[] bytes, int size) {
        int addr = base + offset;
        if ((base | addr) < 0 || addr > size - 2) throw ContiguousMemory.outOfBounds();
        return (short) ContiguousMemory.SHORT.get(bytes, addr);
    }

    public static void writeShort(int base, short value, int offset, byte[] bytes, int size) {
        int addr = base + offset;
        if ((base | addr) < 0 || addr > size - 2) throw ContiguousMemory.outOfBounds();
        ContiguousMemory.SHORT.set(bytes, addr, value);
    }

    public static int readInt(int base, int offset, byte[] bytes, int size) {
        int addr = base + offset;
        if ((base | addr) < 0 || addr > size - 4) throw ContiguousMemory.outOfBounds();
        return (int) ContiguousMemory.INT.get(bytes, addr);
    }

    public static void writeInt(int base, int value, int offset, byte[] bytes, int size) {
        int addr = base + offset;
        if ((base | addr) < 0 || addr > size - 4) throw ContiguousMemory.outOfBounds();
        ContiguousMemory.INT.set(bytes, addr, value);
    }

    public static long readLong(int base, int offset, byte[] bytes, int size) {
        int addr = base + offset;
        if ((base | addr) < 0 || addr > size - 8) throw ContiguousMemory.outOfBounds();
        return (long) ContiguousMemory.LONG.get(bytes, addr);
    }

    public static void writeLong(int base, long value, int offset, byte[] bytes, int size) {
        int addr = base + offset;
        if ((base | addr) < 0 || addr > size - 8) throw ContiguousMemory.outOfBounds();
        ContiguousMemory.LONG.set(bytes, addr, value);
    }

    public static float readFloat(int base, int offset, byte[] bytes, int size) {
        int addr = base + offset;
        if ((base | addr) < 0 || addr > size - 4) throw ContiguousMemory.outOfBounds();
        return (float) ContiguousMemory.FLOAT.get(bytes, addr);
    }

    public static void writeFloat(int base, float value, int offset, byte[] bytes, int size) {
        int addr = base + offset;
        if ((base | addr) < 0 || addr > size - 4) throw ContiguousMemory.outOfBounds();
        ContiguousMemory.FLOAT.set(bytes, addr, value);
    }

    public static double readDouble(int base, int offset, byte[] bytes, int size) {
        int addr = base + offset;
        if ((base | addr) < 0 || addr > size - 8) throw ContiguousMemory.outOfBounds();
        return (double) ContiguousMemory.DOUBLE.get(bytes, addr);
    }

    public static void writeDouble(int base, double value, int offset, byte[] bytes, int size) {
        int addr = base + offset;
        if ((base | addr) < 0 || addr > size - 8) throw ContiguousMemory.outOfBounds();
        ContiguousMemory.DOUBLE.set(bytes, addr, value);
    }

    // The same accesses for code that does not keep the array in locals (a function without a loop, or one that calls
    // more than it loads): statically bound where Chicory's helpers call the Memory interface, which C1 cannot inline.

    public static byte readByte(int base, int offset, Memory memory) {
        ContiguousMemory m = (ContiguousMemory) memory;
        return readByte(base, offset, m.bytes, m.size);
    }

    public static void writeByte(int base, byte value, int offset, Memory memory) {
        ContiguousMemory m = (ContiguousMemory) memory;
        writeByte(base, value, offset, m.bytes, m.size);
    }

    public static short readShort(int base, int offset, Memory memory) {
        ContiguousMemory m = (ContiguousMemory) memory;
        return readShort(base, offset, m.bytes, m.size);
    }

    public static void writeShort(int base, short value, int offset, Memory memory) {
        ContiguousMemory m = (ContiguousMemory) memory;
        writeShort(base, value, offset, m.bytes, m.size);
    }

    public static int readInt(int base, int offset, Memory memory) {
        ContiguousMemory m = (ContiguousMemory) memory;
        return readInt(base, offset, m.bytes, m.size);
    }

    public static void writeInt(int base, int value, int offset, Memory memory) {
        ContiguousMemory m = (ContiguousMemory) memory;
        writeInt(base, value, offset, m.bytes, m.size);
    }

    public static long readLong(int base, int offset, Memory memory) {
        ContiguousMemory m = (ContiguousMemory) memory;
        return readLong(base, offset, m.bytes, m.size);
    }

    public static void writeLong(int base, long value, int offset, Memory memory) {
        ContiguousMemory m = (ContiguousMemory) memory;
        writeLong(base, value, offset, m.bytes, m.size);
    }

    public static float readFloat(int base, int offset, Memory memory) {
        ContiguousMemory m = (ContiguousMemory) memory;
        return readFloat(base, offset, m.bytes, m.size);
    }

    public static void writeFloat(int base, float value, int offset, Memory memory) {
        ContiguousMemory m = (ContiguousMemory) memory;
        writeFloat(base, value, offset, m.bytes, m.size);
    }

    public static double readDouble(int base, int offset, Memory memory) {
        ContiguousMemory m = (ContiguousMemory) memory;
        return readDouble(base, offset, m.bytes, m.size);
    }

    public static void writeDouble(int base, double value, int offset, Memory memory) {
        ContiguousMemory m = (ContiguousMemory) memory;
        writeDouble(base, value, offset, m.bytes, m.size);
    }
}
