package dev.donjon.wasi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Entries come back only as written, under their own key, from a directory closed to others. */
class CompiledModuleCacheTest {
    @TempDir
    Path tmp;

    private static final byte[] CONTENT = "compiled classes".getBytes(StandardCharsets.UTF_8);

    @Test
    void returnsWhatWasPutUnderTheSameKeyOnly() {
        CompiledModuleCache cache = CompiledModuleCache.in(tmp.resolve("c"));
        assertTrue(cache.get("a").isEmpty());
        cache.put("a", CONTENT);
        assertArrayEquals(CONTENT, cache.get("a").orElseThrow());
        assertTrue(cache.get("b").isEmpty());
        // another instance (another run) on the same directory trusts it too: same key file
        assertArrayEquals(
                CONTENT, CompiledModuleCache.in(tmp.resolve("c")).get("a").orElseThrow());
    }

    @Test
    void directoryAndKeyAreTheOwnersOnly() throws IOException {
        Path dir = tmp.resolve("c");
        CompiledModuleCache.in(dir).put("a", CONTENT);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("key"))));
        for (Path entry : entries(dir)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(entry)));
        }
    }

    @Test
    void tamperedEntryIsIgnored() throws IOException {
        Path dir = tmp.resolve("c");
        CompiledModuleCache.in(dir).put("a", CONTENT);
        Path entry = entries(dir).getFirst();
        byte[] bytes = Files.readAllBytes(entry);
        bytes[bytes.length - 1] ^= 1;
        Files.write(entry, bytes);
        assertTrue(CompiledModuleCache.in(dir).get("a").isEmpty());
    }

    @Test
    void entryMovedToAnotherKeyIsIgnored() throws IOException {
        Path dir = tmp.resolve("c");
        CompiledModuleCache cache = CompiledModuleCache.in(dir);
        cache.put("a", CONTENT);
        Path a = entries(dir).getFirst();
        cache.put("b", "other".getBytes(StandardCharsets.UTF_8));
        Path b = entries(dir).stream().filter(p -> !p.equals(a)).findFirst().orElseThrow();
        Files.copy(a, b, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertTrue(CompiledModuleCache.in(dir).get("b").isEmpty());
    }

    @Test
    void entryWrittenWithAnotherKeyFileIsIgnored() throws IOException {
        Path dir = tmp.resolve("c");
        CompiledModuleCache.in(dir).put("a", CONTENT);
        Files.write(dir.resolve("key"), new byte[32]); // someone else's key: our entries no longer verify
        assertTrue(CompiledModuleCache.in(dir).get("a").isEmpty());
    }

    @Test
    void directoryOpenToOthersTurnsTheCacheOff() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        CompiledModuleCache cache = CompiledModuleCache.in(dir);
        cache.put("a", CONTENT);
        assertTrue(cache.get("a").isEmpty());
        assertTrue(entries(dir).isEmpty(), "nothing written to a directory others can write");
        assertFalse(Files.exists(dir.resolve("key")));
    }

    @Test
    void keyThatIsALinkOrOpenToOthersTurnsTheCacheOff() throws IOException {
        // the key is read, not made again, when it exists: it must still be this user's private regular file
        Path linked = Files.createDirectory(tmp.resolve("linked"));
        Files.setPosixFilePermissions(linked, PosixFilePermissions.fromString("rwx------"));
        Path elsewhere = Files.write(tmp.resolve("someone-elses-key"), new byte[32]);
        Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rw-------"));
        Files.createSymbolicLink(linked.resolve("key"), elsewhere);
        CompiledModuleCache.in(linked).put("a", CONTENT);
        assertTrue(entries(linked).isEmpty(), "nothing written under a key others could have planted");

        Path open = tmp.resolve("open-key");
        CompiledModuleCache.in(open).put("a", CONTENT);
        Files.setPosixFilePermissions(open.resolve("key"), PosixFilePermissions.fromString("rw-r--r--"));
        assertTrue(CompiledModuleCache.in(open).get("a").isEmpty());
    }

    @Test
    void disabledCacheKeepsNothing() {
        CompiledModuleCache cache = CompiledModuleCache.disabled();
        cache.put("a", CONTENT);
        assertTrue(cache.get("a").isEmpty());
        assertFalse(cache.isEnabled());
    }

    @Test
    void moduleRunsTheSameFromTheCache() throws IOException {
        Path dir = tmp.resolve("c");
        byte[] wasm = TestModules.bytes("greet.wasm");
        assertEquals("hello, cache\n", run(WasiProgram.load(wasm, CompiledModuleCache.in(dir))));
        assertEquals(1, entries(dir).size(), "first load stores the compiled module");
        long written = Files.getLastModifiedTime(entries(dir).getFirst()).toMillis();
        assertEquals("hello, cache\n", run(WasiProgram.load(wasm, CompiledModuleCache.in(dir))));
        assertEquals(1, entries(dir).size());
        assertEquals(
                written,
                Files.getLastModifiedTime(entries(dir).getFirst()).toMillis(),
                "second load reads, does not rewrite");
    }

    @Test
    void unusableEntryIsRecompiled() throws IOException {
        Path dir = tmp.resolve("c");
        byte[] wasm = TestModules.bytes("greet.wasm");
        WasiProgram.load(wasm, CompiledModuleCache.in(dir));
        Path entry = entries(dir).getFirst();
        // a validly signed entry whose content is not a jar of classes (a bug of ours, or another engine's format)
        byte[] bytes = Files.readAllBytes(entry);
        String key = dev.donjon.wasi.chicory.ChicoryCacheKeys.keyOf(wasm);
        CompiledModuleCache.in(dir).put(key, "not a jar".getBytes(StandardCharsets.UTF_8));
        assertFalse(java.util.Arrays.equals(bytes, Files.readAllBytes(entry)), "the test replaced the real entry");
        assertEquals("hello, cache\n", run(WasiProgram.load(wasm, CompiledModuleCache.in(dir))));
        byte[] replaced = CompiledModuleCache.in(dir).get(key).orElseThrow();
        assertTrue(
                replaced.length > 2 && replaced[0] == 'P' && replaced[1] == 'K',
                "the unusable entry was replaced by a fresh compile (a jar)");
    }

    private static String run(WasiProgram program) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = program.run(WasiOptions.builder()
                .args("greet.wasm", "cache")
                .stdio(InputStream.nullInputStream(), out, new ByteArrayOutputStream())
                .build());
        assertEquals(0, code);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".bin"))
                    .sorted()
                    .toList();
        }
    }
}
