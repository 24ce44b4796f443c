package dev.donjon.wasi.chicory;

import com.dylibso.chicory.runtime.Memory;
import dev.donjon.wasi.host.GuestMemory;
import java.lang.foreign.MemorySegment;

/** {@link GuestMemory} over a Chicory memory, with the bounds checks WASI needs (EFAULT, not a trap). */
final class ChicoryMemory implements GuestMemory {
    private final Memory memory;

    ChicoryMemory(Memory memory) {
        this.memory = memory;
    }

    private int check(int addr, int length) {
        long end = Integer.toUnsignedLong(addr) + Integer.toUnsignedLong(length);
        if (end > (long) memory.pages() * Memory.PAGE_SIZE) {
            throw new Fault("guest address out of bounds: " + Integer.toUnsignedString(addr) + "+" + length);
        }
        return addr;
    }

    @Override
    public byte readU8(int addr) {
        return memory.read(check(addr, 1));
    }

    @Override
    public short readU16(int addr) {
        return memory.readShort(check(addr, 2));
    }

    @Override
    public int readI32(int addr) {
        return memory.readInt(check(addr, 4));
    }

    @Override
    public long readI64(int addr) {
        return memory.readLong(check(addr, 8));
    }

    @Override
    public void writeU8(int addr, int value) {
        memory.writeByte(check(addr, 1), (byte) value);
    }

    @Override
    public void writeU16(int addr, int value) {
        memory.writeShort(check(addr, 2), (short) value);
    }

    @Override
    public void writeI32(int addr, int value) {
        memory.writeI32(check(addr, 4), value);
    }

    @Override
    public void writeI64(int addr, long value) {
        memory.writeLong(check(addr, 8), value);
    }

    @Override
    public byte[] read(int addr, int length) {
        if (length < 0) throw new Fault("negative length");
        return memory.readBytes(check(addr, length), length);
    }

    @Override
    public void write(int addr, byte[] src, int offset, int length) {
        memory.write(check(addr, length), src, offset, length);
    }

    @Override
    public java.nio.ByteBuffer view(int addr, int length) {
        return memory instanceof ContiguousMemory c ? c.view(check(addr, length), length) : null;
    }

    @Override
    public long size() {
        return (long) memory.pages() * Memory.PAGE_SIZE;
    }

    // file and socket data: straight between the guest's array and native memory, without an intermediate array
    @Override
    public void copyTo(int addr, MemorySegment dst, int length) {
        if (memory instanceof ContiguousMemory c) c.copyTo(check(addr, length), dst, length);
        else GuestMemory.super.copyTo(addr, dst, length);
    }

    @Override
    public void copyFrom(MemorySegment src, int addr, int length) {
        if (memory instanceof ContiguousMemory c) c.copyFrom(src, check(addr, length), length);
        else GuestMemory.super.copyFrom(src, addr, length);
    }
}
