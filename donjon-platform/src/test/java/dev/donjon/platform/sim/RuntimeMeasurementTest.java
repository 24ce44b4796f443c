package dev.donjon.platform.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeMeasurementTest {

    private static final Map<String, String> CODE = Map.of(
            "dev/donjon/keep/Keep.class", "keep bytes",
            "dev/donjon/wasi/Wasi.class", "wasi bytes",
            "META-INF/services/x.Y", "impl");

    private static Path directory(Path root, Map<String, String> files) throws Exception {
        for (var e : files.entrySet()) {
            Path f = root.resolve(e.getKey());
            Files.createDirectories(f.getParent());
            Files.writeString(f, e.getValue());
        }
        return root;
    }

    private static Path jar(Path file, Map<String, String> files) throws Exception {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
            for (var e : files.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue().getBytes(StandardCharsets.UTF_8));
            }
        }
        return file;
    }

    @Test
    void sameFilesSameMeasurementWhateverThePackagingOrOrder(@TempDir Path tmp) throws Exception {
        byte[] fromDir = RuntimeMeasurement.of(List.of(directory(tmp.resolve("classes"), CODE)));
        Path jar = jar(tmp.resolve("donjon.jar"), CODE);
        assertArrayEquals(fromDir, RuntimeMeasurement.of(List.of(jar)));
        assertEquals(48, fromDir.length);
        Path a = jar(tmp.resolve("a.jar"), Map.of("dev/donjon/keep/Keep.class", "keep bytes"));
        Path b = jar(
                tmp.resolve("b.jar"),
                Map.of("dev/donjon/wasi/Wasi.class", "wasi bytes", "META-INF/services/x.Y", "impl"));
        assertArrayEquals(fromDir, RuntimeMeasurement.of(List.of(a, b)));
        assertArrayEquals(fromDir, RuntimeMeasurement.of(List.of(b, a, tmp.resolve("missing.jar"))));
    }

    @Test
    void anyCodeChangeChangesItButPackagingMetadataDoesNot(@TempDir Path tmp) throws Exception {
        byte[] base = RuntimeMeasurement.of(List.of(jar(tmp.resolve("base.jar"), CODE)));
        var changed = new java.util.HashMap<>(CODE);
        changed.put("dev/donjon/wasi/Wasi.class", "wasi bytez");
        assertFalse(java.util.Arrays.equals(
                base, RuntimeMeasurement.of(List.of(jar(tmp.resolve("changed.jar"), changed)))));
        var added = new java.util.HashMap<>(CODE);
        added.put("evil/Agent.class", "x");
        assertFalse(
                java.util.Arrays.equals(base, RuntimeMeasurement.of(List.of(jar(tmp.resolve("added.jar"), added)))));
        var service = new java.util.HashMap<>(CODE);
        service.put("META-INF/services/x.Y", "other impl");
        assertFalse(java.util.Arrays.equals(
                base, RuntimeMeasurement.of(List.of(jar(tmp.resolve("service.jar"), service)))));
        var manifest = new java.util.HashMap<>(CODE);
        manifest.put("META-INF/MANIFEST.MF", "Built-By: someone");
        manifest.put("META-INF/maven/dev.donjon/x/pom.properties", "version=1");
        assertArrayEquals(base, RuntimeMeasurement.of(List.of(jar(tmp.resolve("manifest.jar"), manifest))));
    }

    @Test
    void jarsNamedByTheManifestClassPathAreMeasuredToo(@TempDir Path tmp) throws Exception {
        Path lib = Files.createDirectories(tmp.resolve("lib"));
        Path dep = jar(lib.resolve("donjon-keep.jar"), Map.of("dev/donjon/keep/Keep.class", "keep bytes"));
        Path main = tmp.resolve("donjon.jar");
        java.util.jar.Manifest mf = new java.util.jar.Manifest();
        mf.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(java.util.jar.Attributes.Name.CLASS_PATH, "lib/donjon-keep.jar lib/missing.jar");
        try (var z = new java.util.jar.JarOutputStream(Files.newOutputStream(main), mf)) {
            z.putNextEntry(new ZipEntry("dev/donjon/wasi/Wasi.class"));
            z.write("wasi bytes".getBytes(StandardCharsets.UTF_8));
        }
        List<Path> expanded = RuntimeMeasurement.withManifestClassPath(List.of(main));
        assertEquals(
                List.of(
                        main.toAbsolutePath(),
                        dep.toAbsolutePath(),
                        lib.resolve("missing.jar").toAbsolutePath()),
                expanded);
        Path plain = jar(
                tmp.resolve("plain.jar"),
                Map.of("dev/donjon/keep/Keep.class", "keep bytes", "dev/donjon/wasi/Wasi.class", "wasi bytes"));
        assertArrayEquals(RuntimeMeasurement.of(List.of(plain)), RuntimeMeasurement.of(expanded));
    }

    @Test
    void cacheKeyFollowsPathSizeAndMtimeOfJarsOnly(@TempDir Path tmp) throws Exception {
        Path jar = jar(tmp.resolve("a.jar"), CODE);
        String key = RuntimeMeasurement.cacheKey(List.of(jar)).orElseThrow();
        assertEquals(
                key,
                RuntimeMeasurement.cacheKey(List.of(jar, tmp.resolve("missing.jar")))
                        .orElseThrow());
        Files.setLastModifiedTime(
                jar,
                java.nio.file.attribute.FileTime.fromMillis(
                        Files.getLastModifiedTime(jar).toMillis() + 2000));
        assertFalse(
                key.equals(RuntimeMeasurement.cacheKey(List.of(jar)).orElseThrow()), "a rebuilt jar is measured again");
        assertTrue(
                RuntimeMeasurement.cacheKey(List.of(jar, directory(tmp.resolve("classes"), CODE)))
                        .isEmpty(),
                "a class directory is never cached");
    }

    @Test
    void cacheIsReadWhileTheJarsAreUnchangedAndRefreshedWhenOneChanges(@TempDir Path tmp) throws Exception {
        Path jar = jar(tmp.resolve("a.jar"), CODE);
        Path cacheDir = tmp.resolve("sim");
        byte[] fresh = RuntimeMeasurement.of(List.of(jar));
        assertArrayEquals(fresh, RuntimeMeasurement.cached(List.of(jar), cacheDir));
        Path cache = cacheDir.resolve("measurement-cache");
        List<String> lines = Files.readAllLines(cache);
        assertEquals(
                "rw-------",
                java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(cache)));
        // prove the second call reads the cache: plant a different value under the same key
        Files.write(cache, List.of(lines.get(0), "00".repeat(48)));
        assertArrayEquals(new byte[48], RuntimeMeasurement.cached(List.of(jar), cacheDir));
        // rewrite the jar (new content, new mtime): measured again, cache replaced
        var changed = new java.util.HashMap<>(CODE);
        changed.put("dev/donjon/keep/Keep.class", "new keep bytes");
        jar(jar, changed);
        Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        byte[] after = RuntimeMeasurement.cached(List.of(jar), cacheDir);
        assertArrayEquals(RuntimeMeasurement.of(List.of(jar)), after);
        assertFalse(java.util.Arrays.equals(fresh, after));
    }

    @Test
    void aKeepHashesItsClassPathAtMostOnceWhateverTheCache(@TempDir Path cache) {
        RuntimeMeasurement.ofThisProcess(cache);
        int before = RuntimeMeasurement.HASHED.get();
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(RuntimeMeasurement.ofThisProcess(), RuntimeMeasurement.ofThisProcess(cache));
        }
        assertEquals(
                before,
                RuntimeMeasurement.HASHED.get(),
                "the test class path has directories: no file cache, so only the in-process memo helps");
    }

    @Test
    void thisProcessIsMeasuredOnceAndStably() {
        byte[] m = RuntimeMeasurement.ofThisProcess();
        assertArrayEquals(m, RuntimeMeasurement.ofThisProcess());
        m[0] ^= 1; // callers get copies
        assertFalse(java.util.Arrays.equals(m, RuntimeMeasurement.ofThisProcess()));
        assertTrue(RuntimeMeasurement.measured("dev/donjon/X.class"));
        assertFalse(RuntimeMeasurement.measured("META-INF/MANIFEST.MF"));
        assertTrue(RuntimeMeasurement.measured("META-INF/versions/21/a/B.class"));
    }
}
