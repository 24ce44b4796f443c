package dev.donjon.host.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WorkloadPackageTest {

    @Test
    void roundTrips() throws Exception {
        WorkloadPackage p = new WorkloadPackage(
                new byte[] {1, 2, 3},
                Optional.of("x = 1".getBytes(StandardCharsets.UTF_8)),
                Map.of("A", "b".getBytes(StandardCharsets.UTF_8)));
        assertEquals(p, WorkloadPackage.decode(p.encode()));
        WorkloadPackage bare = new WorkloadPackage(new byte[] {1}, Optional.empty(), Map.of());
        assertEquals(bare, WorkloadPackage.decode(bare.encode()));
        WorkloadPackage withCa = new WorkloadPackage(
                new byte[] {1}, Optional.empty(), Map.of(), Optional.of("PEM".getBytes(StandardCharsets.US_ASCII)));
        WorkloadPackage decoded = WorkloadPackage.decode(withCa.encode());
        assertEquals(withCa, decoded);
        assertEquals("PEM", new String(decoded.stewardCa().orElseThrow(), StandardCharsets.US_ASCII));
        assertTrue(!bare.equals(withCa), "the Steward CA is part of the package");
    }

    @Test
    void refusesMalformedArchives() {
        byte[] good = new WorkloadPackage(new byte[] {1, 2, 3}, Optional.empty(), Map.of()).encode();
        assertMessage("bad magic", () -> WorkloadPackage.decode(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}));
        assertMessage("truncated", () -> WorkloadPackage.decode(Arrays.copyOf(good, good.length - 1)));
        assertMessage("trailing", () -> WorkloadPackage.decode(Arrays.copyOf(good, good.length + 1)));
        byte[] noWasm = Arrays.copyOf(good, 9);
        noWasm[8] = 0; // zero entries
        assertMessage("no main.wasm", () -> WorkloadPackage.decode(noWasm));
    }

    @Test
    void refusesSecretsThatCannotBeEnvironmentVariables() {
        WorkloadPackage badName =
                new WorkloadPackage(new byte[] {1}, Optional.empty(), Map.of("../x", new byte[] {65}));
        assertMessage("not a valid environment variable name", badName::validate);
        WorkloadPackage binary = new WorkloadPackage(new byte[] {1}, Optional.empty(), Map.of("K", new byte[] {0, 1}));
        assertMessage("not UTF-8 text", binary::validate);
    }

    @Test
    void guestArgumentsRoundTripAndAreAbsentWithoutThem() throws Exception {
        WorkloadPackage bare = new WorkloadPackage(new byte[] {1}, Optional.empty(), Map.of());
        WorkloadPackage withArgs = bare.withArgs(List.of("a b", "", "--x", "日本"));
        WorkloadPackage back = WorkloadPackage.decode(withArgs.encode());
        assertEquals(List.of("a b", "", "--x", "日本"), back.args());
        assertTrue(!bare.equals(withArgs), "the arguments are part of the package");
        assertEquals(bare.encode().length, bare.withArgs(List.of()).encode().length, "no entry without arguments");
        assertMessage("NUL", () -> bare.withArgs(List.of("a\0b")).validate());
    }

    @Test
    void refusesMalformedArgumentEntries() {
        byte[] wasm = new WorkloadPackage(new byte[] {1}, Optional.empty(), Map.of()).encode();
        assertMessage(
                "not NUL-terminated",
                () -> WorkloadPackage.decode(withEntry(wasm, "args", "a\0b".getBytes(StandardCharsets.UTF_8))));
        assertMessage("not NUL-terminated", () -> WorkloadPackage.decode(withEntry(wasm, "args", new byte[0])));
        assertMessage("not UTF-8", () -> WorkloadPackage.decode(withEntry(wasm, "args", new byte[] {(byte) 0xff, 0})));
    }

    /** {@code archive} with one more entry (the count in its header raised by one). */
    private static byte[] withEntry(byte[] archive, String name, byte[] data) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(archive.length + 6 + name.length() + data.length)
                .put(archive);
        b.putInt(5, b.getInt(5) + 1);
        b.putShort((short) name.length())
                .put(name.getBytes(StandardCharsets.US_ASCII))
                .putInt(data.length)
                .put(data);
        return b.array();
    }

    @Test
    void toStringShowsNoContents() {
        WorkloadPackage p = new WorkloadPackage(
                new byte[] {1}, Optional.empty(), Map.of("K", "hunter2".getBytes(StandardCharsets.UTF_8)));
        assertTrue(!p.toString().contains("hunter2"));
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable body) {
        ProtocolException e = assertThrows(ProtocolException.class, body);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
