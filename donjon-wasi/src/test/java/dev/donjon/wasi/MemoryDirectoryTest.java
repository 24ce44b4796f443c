package dev.donjon.wasi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An in-memory directory as a real wasi-libc guest (examples/secrets/show-secrets.wasm) sees it: found as a preopen,
 * listed, each file read; by descriptor with openat; nothing created, nothing reached above it.
 */
class MemoryDirectoryTest {

    private static String run(MemoryDirectory dir, String... args) throws Exception {
        WasiProgram program =
                WasiProgram.load(Files.readAllBytes(Path.of("..", "examples", "secrets", "show-secrets.wasm")));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WasiOptions.Builder b = WasiOptions.builder()
                .stdio(InputStream.nullInputStream(), out, System.err)
                .args("main.wasm")
                .args(args)
                .env("DONJON_SECRETS_DIR", dir.guestPath())
                .env("DONJON_SECRETS_FD", "3")
                .env("TOKEN", "t0k3n")
                .memoryDirectory(dir);
        assertEquals(0, program.run(b.build()));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theGuestListsReadsAndCannotChangeTheDirectory() throws Exception {
        MemoryDirectory dir = new MemoryDirectory(
                "/run/secrets",
                Map.of(
                        "db.txt",
                        "hunter2".getBytes(StandardCharsets.UTF_8),
                        "tls.key",
                        "-----BEGIN KEY-----".getBytes(StandardCharsets.UTF_8)));
        String out = run(dir, "db.txt", "TOKEN");
        assertEquals("""
                env db.txt=(unset)
                env TOKEN=t0k3n
                file db.txt (7 bytes): hunter2
                file tls.key (19 bytes): -----BEGIN KEY-----
                create /run/secrets/added: Read-only file system
                openat db.txt (7 bytes): hunter2
                openat ../escape: Capabilities insufficient
                """, out);
    }

    @Test
    void wipingZeroesTheContents() {
        byte[] value = "s3cret".getBytes(StandardCharsets.UTF_8);
        MemoryDirectory dir = new MemoryDirectory("/s", Map.of("a", value));
        dir.wipe();
        assertTrue(new String(dir.contents("a"), StandardCharsets.UTF_8).chars().allMatch(c -> c == 0));
        assertEquals("s3cret", new String(value, StandardCharsets.UTF_8), "the caller's array was copied, not kept");
        assertEquals("MemoryDirectory[/s, 1 files]", dir.toString());
    }

    @Test
    void namesMustBePlainFileNames() {
        for (String bad : new String[] {"", ".", "..", "a/b", "nul\0"}) {
            assertThrows(
                    IllegalArgumentException.class, () -> new MemoryDirectory("/s", Map.of(bad, new byte[1])), bad);
        }
    }
}
