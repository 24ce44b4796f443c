package dev.donjon.host.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.host.client.Deployer;
import dev.donjon.host.client.TrustOptions;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps started from jars (as {@code ./donjon host serve} starts them) get the start-up cache the agent trains beside
 * the jars: made once, accepted by the JVM at the next start (not made again), caches left by older jars removed, and a
 * deployment through Keeps started from it works. (Tests elsewhere run Keeps from class directories: no cache.)
 */
class KeepStartupCacheTest {

    @Test
    void keepsStartFromACacheMadeOnceBesideTheJars(@TempDir Path dir) throws Exception {
        String classPath = jarred(dir);
        Path stale = Files.writeString(dir.resolve("donjon-keep-0ld.aot"), "made for older jars");
        Files.setLastModifiedTime(stale, FileTime.fromMillis(0));
        KeepLauncher launcher =
                new KeepLauncher(Path.of(System.getProperty("java.home"), "bin", "java"), classPath, List.of());

        launcher.prepare();
        List<Path> caches = caches(dir);
        assertEquals(1, caches.size(), "one cache, the stale one removed: " + caches);
        Path cache = caches.getFirst();
        assertTrue(Files.size(cache) > 1 << 20, cache + " holds classes");
        FileTime made = Files.getLastModifiedTime(cache);

        launcher.prepare(); // the JVM accepts it (AOTMode=on): not made again
        assertEquals(made, Files.getLastModifiedTime(cache));
        try (Stream<Path> left = Files.list(dir)) {
            assertFalse(left.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no training file left");
        }

        HostAgent agent = HostAgent.start(
                HostAgent.Config.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "nil")
                        .withLauncher(launcher));
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = new Deployer(
                            Deployer.Options.to(agent.baseUri()), TrustOptions.insecure(), Deployer.Progress.SILENT)
                    .deploy(Workloads.hello(), out, OutputStream.nullOutputStream());
            assertEquals(0, code);
            assertEquals("Hello, world!\n", out.toString(StandardCharsets.UTF_8));
        } finally {
            agent.close();
        }
        assertEquals(made, Files.getLastModifiedTime(cache), "the agent's own prepare() kept it too");
    }

    /** This JVM's class path with every class directory packed into a jar in {@code dir} (jars stay where they are). */
    private static String jarred(Path dir) throws IOException {
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e);
            if (!Files.isDirectory(p)) {
                entries.add(e);
                continue;
            }
            Path jar = dir.resolve("classes-" + n++ + ".jar");
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                    Stream<Path> files = Files.walk(p)) {
                for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    out.putNextEntry(new JarEntry(p.relativize(f).toString().replace(File.separatorChar, '/')));
                    Files.copy(f, out);
                    out.closeEntry();
                }
            }
            entries.add(jar.toString());
        }
        // the cache goes beside the first entry, which must be one of ours
        entries.sort((a, b) -> Boolean.compare(!a.startsWith(dir.toString()), !b.startsWith(dir.toString())));
        return String.join(File.pathSeparator, entries);
    }

    private static List<Path> caches(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("donjon-keep-.*\\.aot"))
                    .toList();
        }
    }
}
