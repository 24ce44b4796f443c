package dev.donjon.wasi.chicory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Same results as Chicory's own memory for every access, in range and out of it (traps at the same places). */
class ContiguousMemoryTest {
    private static final int PAGE = Memory.PAGE_SIZE;

    private static List<Memory> both(int initial, int max) {
        return List.of(
                new ContiguousMemory(new MemoryLimits(initial, max)),
                new ByteArrayMemory(new MemoryLimits(initial, max)));
    }

    @Test
    void loadsAndStoresAreLittleEndianAndAgreeWithChicorysMemory() {
        List<Memory> m = both(2, 4);
        Random r = new Random(42);
        for (int i = 0; i < 2000; i++) {
            int addr = r.nextInt(2 * PAGE - 8);
            long v = r.nextLong();
            switch (i % 6) {
                case 0 -> m.forEach(x -> x.writeByte(addr, (byte) v));
                case 1 -> m.forEach(x -> x.writeShort(addr, (short) v));
                case 2 -> m.forEach(x -> x.writeI32(addr, (int) v));
                case 3 -> m.forEach(x -> x.writeLong(addr, v));
                case 4 -> m.forEach(x -> x.writeF32(addr, Float.intBitsToFloat((int) v)));
                default -> m.forEach(x -> x.writeF64(addr, Double.longBitsToDouble(v)));
            }
            int at = r.nextInt(2 * PAGE - 8);
            assertEquals(m.get(1).read(at), m.get(0).read(at));
            assertEquals(m.get(1).readShort(at), m.get(0).readShort(at));
            assertEquals(m.get(1).readU16(at), m.get(0).readU16(at));
            assertEquals(m.get(1).readInt(at), m.get(0).readInt(at));
            assertEquals(m.get(1).readLong(at), m.get(0).readLong(at));
            assertEquals(m.get(1).readF32(at), m.get(0).readF32(at));
            assertEquals(m.get(1).readF64(at), m.get(0).readF64(at));
        }
        assertArrayEquals(m.get(1).readBytes(0, 2 * PAGE), m.get(0).readBytes(0, 2 * PAGE));
        Memory c = m.get(0);
        c.writeI32(0, 0x04030201);
        assertArrayEquals(new byte[] {1, 2, 3, 4}, c.readBytes(0, 4));
    }

    @Test
    void accessesPastTheEndOrAtNegativeAddressesTrap() {
        Memory c = new ContiguousMemory(new MemoryLimits(1, 2));
        List<Consumer<Integer>> accesses = List.of(
                c::read,
                c::readShort,
                c::readInt,
                c::readLong,
                c::readFloat,
                c::readDouble,
                a -> c.writeByte(a, (byte) 1),
                a -> c.writeShort(a, (short) 1),
                a -> c.writeI32(a, 1),
                a -> c.writeLong(a, 1),
                a -> c.writeF32(a, 1f),
                a -> c.writeF64(a, 1d));
        for (var access : accesses) {
            for (int addr : new int[] {PAGE, PAGE + 100, -1, Integer.MIN_VALUE}) {
                var e = assertThrows(WasmRuntimeException.class, () -> access.accept(addr), "address " + addr);
                assertEquals("out of bounds memory access", e.getMessage());
            }
        }
        c.writeByte(PAGE - 1, (byte) 7); // the last byte is in range
        assertEquals(7, c.read(PAGE - 1));
        assertThrows(WasmRuntimeException.class, () -> c.readInt(PAGE - 3)); // straddles the end
        assertThrows(WasmRuntimeException.class, () -> c.writeLong(PAGE - 7, 1));
        assertThrows(WasmRuntimeException.class, () -> c.readDouble(PAGE - 1));
        assertThrows(WasmRuntimeException.class, () -> c.readBytes(PAGE - 3, 4));
        assertThrows(WasmRuntimeException.class, () -> c.write(PAGE - 3, new byte[4], 0, 4));
        assertThrows(WasmRuntimeException.class, () -> c.fill((byte) 0, PAGE - 3, PAGE + 1));
        assertThrows(WasmRuntimeException.class, () -> c.copy(0, PAGE - 3, 4));
    }

    @Test
    void aGrownMemoryEndsAtItsSizeNotAtItsArray() {
        Memory c = new ContiguousMemory(new MemoryLimits(1, 100));
        for (int pages = 1; pages < 20; pages++) {
            assertEquals(pages, c.grow(1));
            int end = (pages + 1) * PAGE;
            c.writeLong(end - 8, -1L);
            List<Consumer<Integer>> accesses = List.of(
                    c::read,
                    c::readShort,
                    c::readInt,
                    c::readLong,
                    c::readFloat,
                    c::readDouble,
                    a -> c.writeByte(a, (byte) 1),
                    a -> c.writeShort(a, (short) 1),
                    a -> c.writeI32(a, 1),
                    a -> c.writeLong(a, 1),
                    a -> c.writeF32(a, 1f),
                    a -> c.writeF64(a, 1d));
            for (var access : accesses) {
                for (int addr : new int[] {end, end + 1, end + PAGE}) {
                    assertThrows(
                            WasmRuntimeException.class, () -> access.accept(addr), "address " + addr + " of " + end);
                }
            }
            assertThrows(WasmRuntimeException.class, () -> c.readInt(end - 3));
            assertThrows(WasmRuntimeException.class, () -> c.readBytes(end - 3, 4));
            assertThrows(WasmRuntimeException.class, () -> c.fill((byte) 1, end - 1, end + 1));
            assertThrows(WasmRuntimeException.class, () -> c.copy(end - 2, 0, 4));
        }
        assertEquals(20, c.grow(80));
        for (int addr = 20 * PAGE; addr < 100 * PAGE; addr += 4096)
            assertEquals(0, c.readLong(addr), "grown memory is zero");
        assertEquals(-1, c.grow(1));
    }

    @Test
    void growKeepsContentsAndStopsAtTheMaximum() {
        Memory c = new ContiguousMemory(new MemoryLimits(1, 3));
        c.writeLong(PAGE - 8, 0x1122334455667788L);
        assertEquals(1, c.grow(1));
        assertEquals(2, c.pages());
        assertEquals(0x1122334455667788L, c.readLong(PAGE - 8));
        c.writeLong(2 * PAGE - 8, 5);
        assertEquals(-1, c.grow(2), "over the maximum");
        assertEquals(2, c.grow(0));
        assertEquals(2, c.grow(1));
        assertEquals(-1, c.grow(1));
        assertEquals(3, c.pages());
        assertEquals(5, c.readLong(2 * PAGE - 8));
    }

    @Test
    void overlappingCopiesAndFillsMatchChicorysMemory() {
        List<Memory> m = both(1, 1);
        for (Memory x : m) {
            for (int i = 0; i < 256; i++) x.writeByte(i, (byte) i);
            x.copy(10, 0, 100); // forwards over itself
            x.copy(200, 220, 30); // backwards
            x.fill((byte) 0x5a, 300, 340);
        }
        assertArrayEquals(m.get(1).readBytes(0, 400), m.get(0).readBytes(0, 400));
    }

    /** Sockets read and write guest memory in place through views: exactly the range asked for, never past the memory. */
    @Test
    void viewsReachOnlyTheGuestsBytesInRange() {
        ContiguousMemory flat = new ContiguousMemory(new MemoryLimits(1, 4));
        flat.grow(1); // the array now has room past the memory's size: a view must not reach it
        ChicoryMemory guest = new ChicoryMemory(flat);
        java.nio.ByteBuffer v = guest.view(2 * PAGE - 3, 3);
        assertEquals(0, v.position());
        assertEquals(3, v.remaining());
        assertEquals(3, v.capacity());
        v.put(new byte[] {7, 8, 9});
        assertEquals(9, flat.read(2 * PAGE - 1));
        assertThrows(dev.donjon.wasi.host.GuestMemory.Fault.class, () -> guest.view(2 * PAGE - 3, 4));
        assertThrows(dev.donjon.wasi.host.GuestMemory.Fault.class, () -> guest.view(2 * PAGE, 1));
        assertThrows(dev.donjon.wasi.host.GuestMemory.Fault.class, () -> guest.view(-1, 1));
        assertThrows(dev.donjon.wasi.host.GuestMemory.Fault.class, () -> guest.view(0, -1));
        assertEquals(0, guest.view(2 * PAGE, 0).capacity());
    }
}
