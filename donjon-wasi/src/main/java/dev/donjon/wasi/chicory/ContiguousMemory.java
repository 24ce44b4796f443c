package dev.donjon.wasi.chicory;

import com.dylibso.chicory.runtime.ConstantEvaluators;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.UninstantiableException;
import com.dylibso.chicory.wasm.types.ActiveDataSegment;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.PassiveDataSegment;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A guest's linear memory as one Java array (not shared between threads), with room to grow.
 *
 * <p>Why not Chicory's {@code ByteArrayMemory}: that one keeps 64 KiB pages in an array of arrays, so every load and
 * store the guest makes costs a mask, a page-size check, a page lookup and the VarHandle's own index check. Here an
 * access is an index check against the memory's size (the wasm bounds check: an address past the end, or of 2 GiB or
 * more, which arrives as a negative int, becomes Chicory's "out of bounds memory access" trap) and one VarHandle
 * access into the array.
 *
 * <p>The array is larger than the memory after a grow: C's {@code malloc} grows memory a page at a time, and an array
 * of exactly the memory's size had to be copied whole at each of those grows (a server holding 2,000 connections, with
 * 32 MiB of buffers, spent minutes copying; bench/README.md). A grow that needs a new array asks for half again what
 * the guest needs (at most its maximum), so copies add up to a few times the final size. The bytes past the memory's
 * size are never readable or writable by the guest (the checks are against the size), and are zero when they become
 * memory. The price: the explicit check, ≈0-10% on the compute kernels' steady state against an exact-size array
 * whose own index check did the work (KernelCpuTime, bench/README.md). A grow the heap cannot hold fails as wasm's
 * {@code memory.grow} does (-1).
 */
final class ContiguousMemory implements Memory {
    static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle FLOAT = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle DOUBLE = MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);
    /** A Java array holds at most 2 GiB - 1 bytes: one page less than 2 GiB. */
    static final int MAX_PAGES = Integer.MAX_VALUE / PAGE_SIZE;

    private final MemoryLimits limits;
    /**
     * The backing array: the memory's bytes, then zeros up to its capacity (room for later grows). Compiled guest
     * code keeps it and {@link #size} in locals ({@link MemoryInLocals}), so it is replaced only by {@link #grow}.
     */
    byte[] bytes;
    /** The memory itself: the first {@link #size} bytes of {@link #bytes}; its bounds are the wasm bounds. */
    int size;
    /** {@link #size} less 1, 3 and 7: the largest address a 2-, 4- and 8-byte access may start at, plus one. */
    private int limit2, limit4, limit8;

    private DataSegment[] dataSegments = new DataSegment[0];

    ContiguousMemory(MemoryLimits limits) {
        if (limits.shared()) throw new IllegalArgumentException("shared memory needs a thread-safe memory");
        if (limits.initialPages() > MAX_PAGES)
            throw new UninstantiableException("memory of " + limits.initialPages() + " pages is over the host's limit");
        this.limits = limits;
        this.bytes = new byte[limits.initialPages() * PAGE_SIZE];
        resize(bytes.length);
    }

    private void resize(int newSize) {
        size = newSize;
        limit2 = newSize - 1;
        limit4 = newSize - 3;
        limit8 = newSize - 7;
    }

    static WasmRuntimeException outOfBounds() {
        return new WasmRuntimeException("out of bounds memory access");
    }

    private void check(int addr, int length) {
        if (addr < 0 || length < 0 || addr > size - length) throw outOfBounds();
    }

    @Override
    public int pages() {
        return size / PAGE_SIZE;
    }

    @Override
    public int initialPages() {
        return limits.initialPages();
    }

    @Override
    public int maximumPages() {
        return Math.min(limits.maximumPages(), MAX_PAGES);
    }

    @Override
    public boolean shared() {
        return false;
    }

    /**
     * Grows within the backing array when it has room, else moves to one half again as large as needed (at most the
     * maximum): C's malloc grows memory a page or a few at a time, and a copy of the whole memory at each of those
     * grows made a server with 2,000 connections (32 MiB of buffers) spend minutes copying.
     */
    @Override
    public int grow(int delta) {
        int old = pages();
        if (delta < 0 || (long) old + delta > maximumPages()) return -1;
        if (delta == 0) return old;
        int newSize = (old + delta) * PAGE_SIZE;
        if (newSize > bytes.length) {
            long roomy = Math.min((long) maximumPages() * PAGE_SIZE, (long) newSize + newSize / 2);
            try {
                bytes = Arrays.copyOf(bytes, (int) roomy);
            } catch (OutOfMemoryError e) {
                try {
                    bytes = Arrays.copyOf(bytes, newSize); // no room to spare: exactly what was asked
                } catch (OutOfMemoryError again) {
                    return -1; // the host's heap is the limit: memory.grow fails as the guest expects, not the host
                }
            }
        }
        resize(newSize);
        return old;
    }

    // Waiting and notifying are for shared memories only (this one never is): wait traps, notify wakes nobody.
    @Override
    public Object lock(int address) {
        return this;
    }

    @Override
    public int waitOn(int address, int expected, long timeout) {
        throw new WasmRuntimeException("expected shared memory");
    }

    @Override
    public int waitOn(int address, long expected, long timeout) {
        throw new WasmRuntimeException("expected shared memory");
    }

    @Override
    public int notify(int address, int count) {
        return 0;
    }

    @Override
    public void initialize(Instance instance, DataSegment[] segments) {
        this.dataSegments = segments;
        for (DataSegment s : segments) {
            if (s instanceof ActiveDataSegment a) {
                if (a.index() != 0)
                    throw new ChicoryException("data segment for memory " + a.index() + ": only memory 0 exists");
                int offset = (int) ConstantEvaluators.computeConstantValue(instance, a.offsetInstructions())[0];
                byte[] data = a.data();
                if (offset < 0 || offset > size - data.length)
                    throw new UninstantiableException("out of bounds memory access");
                System.arraycopy(data, 0, bytes, offset, data.length);
            } else if (!(s instanceof PassiveDataSegment)) {
                throw new ChicoryException("data segment not recognised: " + s);
            }
        }
    }

    @Override
    public void initPassiveSegment(int segment, int dest, int offset, int size) {
        byte[] data = dataSegments[segment].data();
        if (offset < 0 || size < 0 || offset > data.length - size) throw outOfBounds();
        check(dest, size);
        System.arraycopy(data, offset, bytes, dest, size);
    }

    @Override
    public void drop(int segment) {
        dataSegments[segment] = PassiveDataSegment.EMPTY;
    }

    @Override
    public void write(int addr, byte[] data, int offset, int size) {
        check(addr, size);
        System.arraycopy(data, offset, bytes, addr, size);
    }

    /** {@code length} bytes at {@code addr} to the start of {@code dst}. */
    void copyTo(int addr, MemorySegment dst, int length) {
        check(addr, length);
        MemorySegment.copy(bytes, addr, dst, ValueLayout.JAVA_BYTE, 0, length);
    }

    /** The first {@code length} bytes of {@code src} to {@code addr}. */
    void copyFrom(MemorySegment src, int addr, int length) {
        check(addr, length);
        MemorySegment.copy(src, ValueLayout.JAVA_BYTE, 0, bytes, addr, length);
    }

    /** {@code length} bytes at {@code addr} as a heap buffer over this memory's array (see GuestMemory.view). */
    java.nio.ByteBuffer view(int addr, int length) {
        check(addr, length);
        return java.nio.ByteBuffer.wrap(bytes, addr, length).slice();
    }

    @Override
    public byte[] readBytes(int addr, int length) {
        check(addr, length);
        return Arrays.copyOfRange(bytes, addr, addr + length);
    }

    @Override
    public void copy(int dest, int src, int size) {
        check(dest, size);
        check(src, size);
        System.arraycopy(bytes, src, bytes, dest, size);
    }

    @Override
    public void fill(byte value, int fromIndex, int toIndex) {
        check(fromIndex, toIndex - fromIndex);
        Arrays.fill(bytes, fromIndex, toIndex, value);
    }

    @Override
    public void zero() {
        Arrays.fill(bytes, 0, size, (byte) 0);
    }

    // The hot path: the wasm bounds check (Objects.checkIndex against the memory's size, an intrinsic the JIT treats as
    // a range check), then one array access; an IndexOutOfBoundsException from either is the trap.
    @Override
    public byte read(int addr) {
        try {
            Objects.checkIndex(addr, size);
            return bytes[addr];
        } catch (IndexOutOfBoundsException e) {
            throw outOfBounds();
        }
    }

    @Override
    public void writeByte(int addr, byte value) {
        try {
            Objects.checkIndex(addr, size);
            bytes[addr] = value;
        } catch (IndexOutOfBoundsException e) {
            throw outOfBounds();
        }
    }

    @Override
    public short readShort(int addr) {
        try {
            Objects.checkIndex(addr, limit2);
            return (short) SHORT.get(bytes, addr);
        } catch (IndexOutOfBoundsException e) {
            throw outOfBounds();
        }
    }

    @Override
    public long readU16(int addr) {
        return readShort(addr) & 0xFFFFL;
    }

    @Override
    public void writeShort(int addr, short value) {
        try {
            Objects.checkIndex(addr, limit2);
            SHORT.set(bytes, addr, value);
        } catch (IndexOutOfBoundsException e) {
            throw outOfBounds();
        }
    }

    @Override
    public int readInt(int addr) {
        try {
            Objects.checkIndex(addr, limit4);
            return (int) INT.get(bytes, addr);
        } catch (IndexOutOfBoundsException e) {
            throw outOfBounds();
        }
    }

    @Override
    public void writeI32(int addr, int value) {
        try {
            Objects.checkIndex(addr, limit4);
            INT.set(bytes, addr, value);
        } catch (IndexOutOfBoundsException e) {
            throw outOfBounds();
        }
    }

    @Override
    public long readLong(int addr) {
        try {
            Objects.checkIndex(addr, limit8);
            return (long) LONG.get(bytes, addr);
        } catch (IndexOutOfBoundsException e) {
            throw outOfBounds();
        }
    }

    @Override
    public void writeLong(int addr, long value) {
        try {
            Objects.checkIndex(addr, limit8);
            LONG.set(bytes, addr, value);
        } catch (IndexOutOfBoundsException e) {
            throw outOfBounds();
        }
    }

    @Override
    public float readFloat(int addr) {
        try {
            Objects.checkIndex(addr, limit4);
            return (float) FLOAT.get(bytes, addr);
        } catch (IndexOutOfBoundsException e) {
            throw outOfBounds();
        }
    }

    @Override
    public long readF32(int addr) {
        return readInt(addr);
    }

    @Override
    public void writeF32(int addr, float value) {
        try {
            Objects.checkIndex(addr, limit4);
            FLOAT.set(bytes, addr, value);
        } catch (IndexOutOfBoundsException e) {
            throw outOfBounds();
        }
    }

    @Override
    public double readDouble(int addr) {
        try {
            Objects.checkIndex(addr, limit8);
            return (double) DOUBLE.get(bytes, addr);
        } catch (IndexOutOfBoundsException e) {
            throw outOfBounds();
        }
    }

    @Override
    public long readF64(int addr) {
        return readLong(addr);
    }

    @Override
    public void writeF64(int addr, double value) {
        try {
            Objects.checkIndex(addr, limit8);
            DOUBLE.set(bytes, addr, value);
        } catch (IndexOutOfBoundsException e) {
            throw outOfBounds();
        }
    }
}
