package dev.donjon.platform.sim;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The sim backend's MEASUREMENT: SHA-384 of the code the Keep runtime runs, so that a client can pin a Donjon
 * build the way it would pin a launch digest on real SEV-SNP. Defined (README "Sim measurement") as:
 * <ol>
 *   <li>the class path is {@code java.class.path} plus, as the JVM does, the jars named by the {@code Class-Path}
 *       manifest attribute of its jars (the {@code ./donjon} launcher runs {@code donjon.jar} with {@code lib/*.jar});</li>
 *   <li>every file of every class-path entry (directory or jar), named by its path inside the entry with '/',
 *       except under {@code META-INF/} (manifests, signatures, Maven metadata: packaging, not code) but including
 *       {@code META-INF/services/} and {@code META-INF/versions/} (they change what runs);</li>
 *   <li>each file contributes the line {@code name NUL hex(SHA-384(content)) LF};</li>
 *   <li>lines sorted by name, then by digest (a name can appear in two entries);</li>
 *   <li>measurement = SHA-384("donjon-runtime-measurement-v1" LF, then the lines).</li>
 * </ol>
 * The JDK itself is not measured. The same classes give the same value whether they come from the {@code donjon.jar}
 * of the launcher or from one jar per module only if the two hold the same files; pin the distribution you run.
 */
public final class RuntimeMeasurement {

    static final String DOMAIN = "donjon-runtime-measurement-v1\n";
    private static final HexFormat HEX = HexFormat.of();
    private static volatile byte[] ofThisProcess;

    private RuntimeMeasurement() {}

    /** The measurement of this JVM's class path, computed once. */
    public static byte[] ofThisProcess() {
        byte[] m = ofThisProcess;
        if (m == null) {
            m = of(withManifestClassPath(classPath()));
            ofThisProcess = m;
        }
        return m.clone();
    }

    /**
     * The measurement of this JVM's class path, remembered in {@code cacheDirectory} across processes: each Keep is
     * its own process, and hashing every class of ~15 MB of jars costs ~0.6 s of CPU. The cache is keyed by every
     * entry's path, size and modification time and used only when all entries are files (jars); a directory on the
     * class path (a development build) is always measured afresh. Trusting size and mtime as change detectors is fine
     * here: whoever can rewrite a jar without changing them can also use the sim VCEK key kept beside the cache.
     */
    public static byte[] ofThisProcess(Path cacheDirectory) {
        byte[] m = ofThisProcess;
        if (m == null) {
            m = cached(withManifestClassPath(classPath()), cacheDirectory);
            ofThisProcess = m;
        }
        return m.clone();
    }

    static byte[] cached(List<Path> entries, Path cacheDirectory) {
        Optional<String> key = cacheKey(entries);
        if (key.isEmpty()) return of(entries);
        Path cache = cacheDirectory.resolve("measurement-cache");
        try {
            List<String> lines = Files.readAllLines(cache, StandardCharsets.US_ASCII);
            if (lines.size() == 2 && lines.get(0).equals(key.get())) return HEX.parseHex(lines.get(1));
        } catch (IOException | IllegalArgumentException absentOrDamaged) {
            // measure afresh
        }
        byte[] m = of(entries);
        try {
            dev.donjon.common.OwnerOnlyFiles.createDirectories(cacheDirectory);
            dev.donjon.common.OwnerOnlyFiles.write(
                    cache, (key.get() + "\n" + HEX.formatHex(m) + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException notCached) {
            // the next Keep measures again; nothing is wrong with this one
        }
        return m;
    }

    /** SHA-256 over (path, size, mtime) of every entry, or empty when an entry is not a plain file. */
    static Optional<String> cacheKey(List<Path> entries) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (Path p : entries) {
                if (!Files.exists(p)) continue;
                if (!Files.isRegularFile(p)) return Optional.empty();
                d.update((p.toAbsolutePath() + "\0" + Files.size(p) + "\0"
                                + Files.getLastModifiedTime(p).toMillis() + "\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            return Optional.of(HEX.formatHex(d.digest()));
        } catch (IOException | NoSuchAlgorithmException e) {
            return Optional.empty();
        }
    }

    private static List<Path> classPath() {
        List<Path> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!e.isBlank()) entries.add(Path.of(e));
        }
        return entries;
    }

    /** How many class paths this process has hashed (tests check that a Keep hashes its own at most once). */
    static final java.util.concurrent.atomic.AtomicInteger HASHED = new java.util.concurrent.atomic.AtomicInteger();

    /** The measurement of these class-path entries; missing entries contribute nothing (the JVM ignores them too). */
    public static byte[] of(List<Path> classPath) {
        HASHED.incrementAndGet();
        List<String> lines = new ArrayList<>();
        try {
            for (Path entry : classPath) {
                if (Files.isDirectory(entry)) directory(entry, lines);
                else if (Files.isRegularFile(entry)) archive(entry, lines);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot measure the runtime's code: " + e.getMessage(), e);
        }
        lines.sort(Comparator.naturalOrder());
        MessageDigest total = sha384();
        total.update(DOMAIN.getBytes(StandardCharsets.UTF_8));
        for (String line : lines) total.update(line.getBytes(StandardCharsets.UTF_8));
        return total.digest();
    }

    /** Adds the jars that the jars' manifests put on the class path, transitively, each once. */
    static List<Path> withManifestClassPath(List<Path> entries) {
        java.util.LinkedHashSet<Path> all = new java.util.LinkedHashSet<>();
        java.util.ArrayDeque<Path> todo = new java.util.ArrayDeque<>(entries);
        while (!todo.isEmpty()) {
            Path p = todo.removeFirst().toAbsolutePath().normalize();
            if (!all.add(p) || !Files.isRegularFile(p)) continue;
            try (java.util.jar.JarFile jar = new java.util.jar.JarFile(p.toFile())) {
                java.util.jar.Manifest manifest = jar.getManifest();
                String classPath = manifest == null
                        ? null
                        : manifest.getMainAttributes().getValue(java.util.jar.Attributes.Name.CLASS_PATH);
                if (classPath == null) continue;
                for (String relative : classPath.trim().split("\\s+")) {
                    if (relative.isEmpty() || relative.contains(":"))
                        continue; // only local relative URLs, as the launcher writes them
                    todo.addLast(p.resolveSibling(
                            java.net.URLDecoder.decode(relative, java.nio.charset.StandardCharsets.UTF_8)));
                }
            } catch (IOException notAJar) {
                // measured (or skipped) as whatever it is by of()
            }
        }
        return List.copyOf(all);
    }

    static boolean measured(String name) {
        if (!name.startsWith("META-INF/")) return true;
        return name.startsWith("META-INF/services/") || name.startsWith("META-INF/versions/");
    }

    private static void directory(Path root, List<String> lines) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String name = root.relativize(f).toString().replace(File.separatorChar, '/');
                if (!measured(name)) continue;
                try (InputStream in = Files.newInputStream(f)) {
                    lines.add(line(name, in));
                }
            }
        }
    }

    private static void archive(Path jar, List<String> lines) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                if (e.isDirectory() || !measured(e.getName())) continue;
                try (InputStream in = zip.getInputStream(e)) {
                    lines.add(line(e.getName(), in));
                }
            }
        }
    }

    private static String line(String name, InputStream content) throws IOException {
        MessageDigest d = sha384();
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = content.read(buffer)) > 0; ) d.update(buffer, 0, n);
        return name + '\0' + HEX.formatHex(d.digest()) + '\n';
    }

    private static MessageDigest sha384() {
        try {
            return MessageDigest.getInstance("SHA-384");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-384", e);
        }
    }
}
