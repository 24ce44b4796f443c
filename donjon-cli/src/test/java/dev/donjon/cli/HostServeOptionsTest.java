package dev.donjon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@code donjon host serve}'s resource and network options: a bad value is a one-line usage error, nothing starts. */
class HostServeOptionsTest {

    private static void usageError(String expected, String... options) {
        String[] all = java.util.stream.Stream.concat(
                        java.util.stream.Stream.of("host", "serve", "--backend", "nil", "--listen", "127.0.0.1:0"),
                        java.util.Arrays.stream(options))
                .toArray(String[]::new);
        var r = RegistryCommandsTest.run(all);
        assertEquals(2, r.code(), r.err());
        assertEquals("donjon: " + expected, r.err().strip());
    }

    @Test
    void badNetworkOptionsAreUsageErrors() {
        usageError(
                "--keep-connect-allow: \"example.com\" is not an IP address or CIDR block (host names are not allowed)",
                "--keep-connect-allow",
                "example.com");
        usageError(
                "--keep-connect-allow: \"10.0.0.0/40\": prefix length must be 0 to 32",
                "--keep-connect-allow",
                "10.0.0.0/40");
        usageError(
                "--keep-connect-anywhere and --keep-connect-allow exclude each other",
                "--keep-connect-anywhere",
                "--keep-connect-allow",
                "10.0.0.0/8");
        usageError(
                "--keep-listen-address: \"10.0.0.0/8\" is a block, not one address",
                "--keep-listen-address",
                "10.0.0.0/8");
    }

    @Test
    void badResourceOptionsAreUsageErrors() {
        usageError(
                "the total output buffer cannot be smaller than the per-Keep one",
                "--max-output",
                "8MiB",
                "--max-output-per-keep",
                "16MiB");
        usageError("the per-principal Keep quota must be at least 1", "--quota-keeps", "0");
        usageError("the memory budget must be positive", "--memory-budget", "0");
    }
}
