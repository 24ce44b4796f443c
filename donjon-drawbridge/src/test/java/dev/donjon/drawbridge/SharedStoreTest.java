package dev.donjon.drawbridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.testing.LocalPostgres;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store as replicas share it: the catalog in Debian's PostgreSQL (started by the test), the blobs in one directory,
 * two {@link RegistryStore}s standing for two replicas. What one writes the other reads, names stay unique across
 * them, identical writes racing on both both succeed, and the consistency check finds what is missing or altered.
 */
class SharedStoreTest {
    private static LocalPostgres postgres;

    @TempDir
    Path dir;

    @BeforeAll
    static void database() throws Exception {
        postgres = LocalPostgres.start();
    }

    @AfterAll
    static void stop() {
        if (postgres != null) postgres.close();
    }

    private RegistryStore replica(String url) throws Exception {
        return RegistryStore.shared(dir.resolve("shared"), 1 << 20, url, postgres.user(), Optional.empty());
    }

    /** A one-file tree: its tag entry, its root directory and the file. */
    private record Tree(byte[] entry, byte[] root, byte[] file) {
        static Tree of(String text) {
            byte[] file = text.getBytes(StandardCharsets.UTF_8);
            byte[] root = RegistryJson.writeDirectory(new TreeMap<>(Map.of("a.txt", Meta.of(file, "text/plain"))));
            return new Tree(RegistryJson.writeEntry(Meta.of(root, Meta.DIRECTORY_TYPE)), root, file);
        }

        boolean tag(RegistryStore s, String tag) {
            return s.createTag(
                    "u",
                    "r",
                    tag,
                    ContentDigest.of(entry),
                    Meta.ENTRY_TYPE,
                    entry.length,
                    new ByteArrayInputStream(entry));
        }

        void nodes(RegistryStore s, String tag) {
            s.createNode(
                    "u",
                    "r",
                    tag,
                    TreePath.ROOT,
                    ContentDigest.of(root),
                    Meta.DIRECTORY_TYPE,
                    root.length,
                    new ByteArrayInputStream(root));
            s.createNode(
                    "u",
                    "r",
                    tag,
                    TreePath.parse("a.txt"),
                    ContentDigest.of(file),
                    "text/plain",
                    file.length,
                    new ByteArrayInputStream(file));
        }
    }

    @Test
    void whatOneReplicaWritesTheOtherServes() throws Exception {
        String url = postgres.createDatabase();
        try (RegistryStore a = replica(url);
                RegistryStore b = replica(url)) {
            a.createUser("u", new UserRecord("subject-u"));
            assertEquals(Optional.of(new UserRecord("subject-u")), b.user("u"));
            // a subject owns one name, and a name one subject, whichever replica is asked
            assertThrows(StoreException.AlreadyRegistered.class, () -> b.createUser("v", new UserRecord("subject-u")));
            assertThrows(StoreException.Conflict.class, () -> b.createUser("u", new UserRecord("subject-x")));
            assertThrows(
                    StoreException.NotFound.class, () -> b.createRepository("nobody", "r", new RepositoryConfig(true)));
            b.createRepository("u", "r", new RepositoryConfig(true));
            assertThrows(
                    StoreException.Conflict.class, () -> a.createRepository("u", "r", new RepositoryConfig(false)));
            assertEquals(Optional.of(new RepositoryConfig(true)), a.repository("u", "r"));

            Tree t = Tree.of("hello");
            assertTrue(t.tag(a, "1.0.0"));
            t.nodes(b, "1.0.0"); // the tree goes to the other replica: it finds the tag, and verifies against it
            StoredObject file =
                    a.node("u", "r", "1.0.0", TreePath.parse("a.txt")).orElseThrow();
            assertArrayEquals(t.file(), a.readVerified(file));
            assertFalse(Tree.of("hello").tag(b, "1.0.0"), "an identical retry on the other replica changes nothing");
            assertThrows(StoreException.Conflict.class, () -> Tree.of("other").tag(b, "1.0.0"));
            Tree.of("two").tag(b, "2.0.0");
            Tree.of("ten").tag(a, "10.0.0");
            assertEquals(List.of("1.0.0", "10.0.0", "2.0.0"), a.tags("u", "r"), "sorted as the file store sorts");
            assertEquals(List.of(), a.check());
        }
    }

    @Test
    void identicalPublishesRacingOnTwoReplicasBothSucceed() throws Exception {
        String url = postgres.createDatabase();
        try (RegistryStore a = replica(url);
                RegistryStore b = replica(url)) {
            a.createUser("u", new UserRecord("s"));
            a.createRepository("u", "r", new RepositoryConfig(true));
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                for (int round = 0; round < 20; round++) {
                    String tag = "1.0." + round;
                    Tree t = Tree.of("round " + round);
                    List<Future<Boolean>> racers = new ArrayList<>();
                    for (int i = 0; i < 8; i++) {
                        RegistryStore s = i % 2 == 0 ? a : b;
                        racers.add(pool.submit((Callable<Boolean>) () -> t.tag(s, tag)));
                    }
                    int created = 0;
                    for (Future<Boolean> f : racers) created += f.get() ? 1 : 0;
                    assertTrue(created >= 1, "someone created " + tag);
                    t.nodes(a, tag);
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(20, b.tags("u", "r").size());
            assertEquals(List.of(), b.check());
        }
    }

    @Test
    void theCheckFindsMissingAndAlteredContent() throws Exception {
        String url = postgres.createDatabase();
        try (RegistryStore a = replica(url)) {
            a.createUser("u", new UserRecord("s"));
            a.createRepository("u", "r", new RepositoryConfig(true));
            Tree t = Tree.of("hello");
            t.tag(a, "1.0.0");
            t.nodes(a, "1.0.0");
            Path blobs = dir.resolve("shared/blobs");
            String fileBlob = Meta.of(t.file(), "text/plain").digest().sha256Hex();
            String rootBlob = Meta.of(t.root(), Meta.DIRECTORY_TYPE).digest().sha256Hex();
            Files.delete(blobs.resolve(fileBlob));
            Files.setPosixFilePermissions(
                    blobs.resolve(rootBlob), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            Files.writeString(blobs.resolve(rootBlob), "{}");
            List<String> problems = a.check();
            assertEquals(2, problems.size(), problems.toString());
            assertTrue(
                    problems.contains("blob " + fileBlob + " is named by the catalog but missing"),
                    problems.toString());
            assertTrue(problems.contains("blob " + rootBlob + " does not match its digest"), problems.toString());
        }
    }

    @Test
    void theFileStoreChecksItsContentToo() throws Exception {
        RegistryStore a = new RegistryStore(dir.resolve("files"), 1 << 20);
        a.createUser("u", new UserRecord("s"));
        a.createRepository("u", "r", new RepositoryConfig(true));
        Tree t = Tree.of("hello");
        t.tag(a, "1.0.0");
        t.nodes(a, "1.0.0");
        assertEquals(List.of(), a.check());
        Files.delete(dir.resolve("files/blobs")
                .resolve(Meta.of(t.file(), "text/plain").digest().sha256Hex()));
        assertEquals(1, a.check().size());
    }

    @Test
    void aDatabaseThatGoesAwayMakesTheStoreUnreadyAndItsAnswersRetryable() throws Exception {
        LocalPostgres own = LocalPostgres.start();
        RegistryStore a = RegistryStore.shared(
                dir.resolve("shared"), 1 << 20, own.createDatabase(), own.user(), Optional.empty());
        try {
            a.createUser("u", new UserRecord("s"));
            assertEquals(Optional.empty(), a.notReady());
            own.close();
            assertTrue(
                    a.notReady().orElseThrow().contains("does not answer"),
                    a.notReady().toString());
            StoreException.Unavailable e = assertThrows(StoreException.Unavailable.class, () -> a.user("u"));
            assertTrue(e.getMessage().startsWith("database failure while reading user 'u'"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        } finally {
            a.close();
            own.close();
        }
    }

    @Test
    void anUnreachableDatabaseIsOneLineAtStart() {
        StoreException.Unavailable e = assertThrows(
                StoreException.Unavailable.class,
                () -> RegistryStore.shared(
                        dir.resolve("shared"),
                        1 << 20,
                        "jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2",
                        "nobody",
                        Optional.empty()));
        assertTrue(
                e.getMessage().startsWith("cannot prepare the database jdbc:postgresql://127.0.0.1:1/none"),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
