package dev.donjon.drawbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryStoreTest {
    @TempDir
    Path dir;

    @Test
    void interruptedUploadLeavesNothingVisible() throws Exception {
        RegistryStore store = new RegistryStore(dir, 1 << 20);
        store.createUser("u", new UserRecord("s"));
        store.createRepository("u", "r", new RepositoryConfig(true));
        byte[] entry = RegistryJson.writeEntry(Meta.of("{}".getBytes(StandardCharsets.UTF_8), Meta.DIRECTORY_TYPE));
        // the body ends early, as when a client dies mid-upload
        assertThrows(
                StoreException.Rejected.class,
                () -> store.createTag(
                        "u",
                        "r",
                        "1.0.0",
                        ContentDigest.of(entry),
                        Meta.ENTRY_TYPE,
                        entry.length + 10,
                        new ByteArrayInputStream(entry)));
        assertEquals(List.of(), store.tags("u", "r"));
        try (Stream<Path> s = Files.list(dir.resolve("blobs"))) {
            assertEquals(0, s.count());
        }
        // a temporary file a crash left behind is removed at the next start
        Files.writeString(dir.resolve("tmp").resolve("upload-1.tmp"), "half");
        new RegistryStore(dir, 1 << 20);
        try (Stream<Path> s = Files.list(dir.resolve("tmp"))) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void treeNodesMustMatchWhatTheirParentAnnounced() {
        RegistryStore store = assertDoesNotThrow(() -> new RegistryStore(dir, 1 << 20));
        store.createUser("u", new UserRecord("s"));
        store.createRepository("u", "r", new RepositoryConfig(false));
        byte[] file = "hello".getBytes(StandardCharsets.UTF_8);
        byte[] root =
                RegistryJson.writeDirectory(new TreeMap<>(java.util.Map.of("a.txt", Meta.of(file, "text/plain"))));
        byte[] entry = RegistryJson.writeEntry(Meta.of(root, Meta.DIRECTORY_TYPE));
        store.createTag(
                "u",
                "r",
                "1.0.0",
                ContentDigest.of(entry),
                Meta.ENTRY_TYPE,
                entry.length,
                new ByteArrayInputStream(entry));

        // a child before its parent
        assertThrows(
                StoreException.Conflict.class,
                () -> store.createNode(
                        "u",
                        "r",
                        "1.0.0",
                        TreePath.parse("a.txt"),
                        ContentDigest.of(file),
                        "text/plain",
                        file.length,
                        new ByteArrayInputStream(file)));
        store.createNode(
                "u",
                "r",
                "1.0.0",
                TreePath.ROOT,
                ContentDigest.of(root),
                Meta.DIRECTORY_TYPE,
                root.length,
                new ByteArrayInputStream(root));
        byte[] other = "jello".getBytes(StandardCharsets.UTF_8);
        assertThrows(
                StoreException.Rejected.class,
                () -> store.createNode(
                        "u",
                        "r",
                        "1.0.0",
                        TreePath.parse("a.txt"),
                        ContentDigest.of(other),
                        "text/plain",
                        other.length,
                        new ByteArrayInputStream(other)));
        assertThrows(
                StoreException.Conflict.class,
                () -> store.createNode(
                        "u",
                        "r",
                        "1.0.0",
                        TreePath.parse("b.txt"),
                        ContentDigest.of(file),
                        "text/plain",
                        file.length,
                        new ByteArrayInputStream(file)));
        store.createNode(
                "u",
                "r",
                "1.0.0",
                TreePath.parse("a.txt"),
                ContentDigest.of(file),
                "text/plain",
                file.length,
                new ByteArrayInputStream(file));
        StoredObject node =
                store.node("u", "r", "1.0.0", TreePath.parse("a.txt")).orElseThrow();
        assertEquals("hello", new String(store.readVerified(node), StandardCharsets.UTF_8));
        assertTrue(store.node("u", "r", "1.0.0", TreePath.parse("b.txt")).isEmpty());
        assertEquals(Optional.of(new RepositoryConfig(false)), store.repository("u", "r"));
    }

    private static <T> T assertDoesNotThrow(org.junit.jupiter.api.function.ThrowingSupplier<T> s) {
        return org.junit.jupiter.api.Assertions.assertDoesNotThrow(s);
    }
}
