package dev.donjon.host.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WorkloadPackageTest {

    @Test
    void roundTrips() throws Exception {
        WorkloadPackage p = new WorkloadPackage(new byte[] {1, 2, 3}, Optional.of("x = 1".getBytes(StandardCharsets.UTF_8)),
                Map.of("A", "b".getBytes(StandardCharsets.UTF_8)));
        assertEquals(p, WorkloadPackage.decode(p.encode()));
        WorkloadPackage bare = new WorkloadPackage(new byte[] {1}, Optional.empty(), Map.of());
        assertEquals(bare, WorkloadPackage.decode(bare.encode()));
        WorkloadPackage withCa = new WorkloadPackage(new byte[] {1}, Optional.empty(), Map.of(), Optional.of("PEM".getBytes(StandardCharsets.US_ASCII)));
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
        WorkloadPackage badName = new WorkloadPackage(new byte[] {1}, Optional.empty(), Map.of("../x", new byte[] {65}));
        assertMessage("not a valid environment variable name", badName::validate);
        WorkloadPackage binary = new WorkloadPackage(new byte[] {1}, Optional.empty(), Map.of("K", new byte[] {0, 1}));
        assertMessage("not UTF-8 text", binary::validate);
    }

    @Test
    void toStringShowsNoContents() {
        WorkloadPackage p = new WorkloadPackage(new byte[] {1}, Optional.empty(), Map.of("K", "hunter2".getBytes(StandardCharsets.UTF_8)));
        assertTrue(!p.toString().contains("hunter2"));
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable body) {
        ProtocolException e = assertThrows(ProtocolException.class, body);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
