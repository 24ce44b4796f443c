package dev.donjon.wasi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A guest never reads, writes, links or removes anything outside its preopened directories, whatever it does
 * with renames and symlinks, alone or racing another guest or a host thread. Every attack is a real guest
 * (fs_attacks.c) and runs with both ways Donjon resolves paths: the kernel's openat2(RESOLVE_BENEATH), and the
 * component-by-component walk used where openat2 is missing.
 *
 * <p>The layout: {@code tmp/outside/canary.txt} holds a random token that no output may ever show; {@code tmp/data}
 * is the guest's {@code /data}; {@code tmp/data/sub/canary.txt} holds "INSIDE".
 */
class ConfinementTest {
    private static final String INSIDE = "INSIDE";

    @TempDir
    Path tmp;

    private Path data;
    private Path outside;
    private Path canary;
    private String secret;

    @BeforeEach
    void layout() throws IOException {
        data = Files.createDirectories(tmp.resolve("data"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        secret = "OUTSIDE-" + UUID.randomUUID();
        canary = Files.writeString(outside.resolve("canary.txt"), secret);
        Files.createDirectories(data.resolve("sub"));
        Files.writeString(data.resolve("sub/canary.txt"), INSIDE);
    }

    /** The issue's attack as written: the symlink climbs to / and the held fd reads etc/passwd. */
    @ParameterizedTest
    @ValueSource(strings = {"openat2", "walk"})
    void swapAttackOfTheIssue(String resolver) throws Exception {
        String out = run(
                resolver,
                List.of(new Preopen(data, "/data")),
                "opendir S /data/sub",
                "rename /data/sub /data/sub.moved",
                "symlink ../../../../../../../../../../../.. /data/sub",
                "readat S etc/passwd",
                "statat S etc/passwd",
                "readat S canary.txt");
        assertFalse(out.contains("root:"), out);
        assertTrue(out.contains("readat: error"), out);
        assertTrue(out.contains("statat: error"), out);
        assertTrue(out.contains("readat: " + INSIDE), "the held fd still names the moved directory: " + out);
        assertOutsideUntouched(out);
    }

    /**
     * The swap attack with the symlink planted through a second, wider preopen (as another tenant of the directory
     * could): only the held descriptor stands between the guest and the outside.
     */
    @ParameterizedTest
    @ValueSource(strings = {"openat2", "walk"})
    void swapAttackWithAPlantedSymlink(String resolver) throws Exception {
        String out = run(
                resolver,
                List.of(new Preopen(tmp, "/all"), new Preopen(data, "/data")),
                "opendir S /data/sub",
                "rename /data/sub /data/sub.moved",
                "symlink ../outside /all/data/sub",
                "readat S canary.txt",
                "statat S canary.txt",
                "createat S created.txt pwned",
                "linkat S canary.txt /data/stolen",
                "read /data/stolen",
                "unlinkat S canary.txt",
                "read /data/sub/canary.txt",
                "write /data/sub/created2.txt pwned",
                "stat /data/sub/canary.txt");
        List<String> lines = out.lines().toList();
        assertEquals(
                List.of(
                        "opendir: ok",
                        "rename: ok",
                        "symlink: ok",
                        "readat: " + INSIDE,
                        "statat: size 6",
                        "createat: ok",
                        "linkat: ok",
                        "read: " + INSIDE,
                        "unlinkat: ok"),
                lines.subList(0, 9),
                out);
        for (String refused : lines.subList(9, lines.size())) assertTrue(refused.contains(": error "), out);
        assertTrue(
                Files.exists(data.resolve("sub.moved/created.txt")), "created beside the held directory's own files");
        assertFalse(Files.isSameFile(data.resolve("stolen"), canary));
        assertOutsideUntouched(out);
    }

    /** Two guests share a directory: one flips a subdirectory with a symlink to "..", the other opens through it. */
    @ParameterizedTest
    @ValueSource(strings = {"openat2", "walk"})
    void raceBetweenTwoGuests(String resolver) throws Exception {
        Files.move(canary, tmp.resolve("canary.txt")); // beside /data: reached by d -> ".."
        canary = tmp.resolve("canary.txt");
        Files.createDirectories(data.resolve("d"));
        Files.writeString(data.resolve("d/canary.txt"), INSIDE);
        String flipperResolver = resolver;
        GuestRun flipper = start(flipperResolver, List.of(new Preopen(tmp, "/all")), "flip /all/data/d .. 100000000");
        String out;
        try {
            out = run(resolver, List.of(new Preopen(data, "/data")), "race /data/d " + INSIDE + " 20000");
        } finally {
            flipper.stop();
            try {
                flipper.await();
            } catch (GuestFailedException stopped) {
                // stopped, as asked: it flips until then
            }
        }
        assertRaced(out);
    }

    /** The same race against a host thread, which flips far faster than a guest can. */
    @ParameterizedTest
    @ValueSource(strings = {"openat2", "walk"})
    void raceAgainstAHostThread(String resolver) throws Exception {
        Files.move(canary, tmp.resolve("canary.txt"));
        canary = tmp.resolve("canary.txt");
        Path d = Files.createDirectories(data.resolve("d"));
        Files.writeString(d.resolve("canary.txt"), INSIDE);
        Path aside = data.resolve("d.aside");
        AtomicBoolean stop = new AtomicBoolean();
        Thread flipper = Thread.ofPlatform().start(() -> {
            while (!stop.get()) {
                try {
                    Files.move(d, aside, StandardCopyOption.ATOMIC_MOVE);
                    Files.createSymbolicLink(d, Path.of(".."));
                    Files.delete(d);
                    Files.move(aside, d, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        String out;
        try {
            out = run(resolver, List.of(new Preopen(data, "/data")), "race /data/d " + INSIDE + " 20000");
        } finally {
            stop.set(true);
            flipper.join();
        }
        assertRaced(out);
    }

    /** Symlinks a guest creates may not point outside its preopen; any that exist there are never followed out. */
    @ParameterizedTest
    @ValueSource(strings = {"openat2", "walk"})
    void escapingSymlinksAreRefusedAndNeverFollowed(String resolver) throws Exception {
        Files.createSymbolicLink(data.resolve("p1"), Path.of("../outside/canary.txt"));
        Files.createSymbolicLink(data.resolve("p2"), canary.toAbsolutePath());
        Files.createSymbolicLink(data.resolve("p3"), Path.of(".."));
        String out = run(
                resolver,
                List.of(new Preopen(data, "/data")),
                // created by the guest: refused when the target climbs out or is absolute
                "symlink ../outside/canary.txt /data/l1",
                "symlink /etc/passwd /data/l2",
                "symlink .. /data/l3",
                "mkdir /data/a",
                "symlink ../../outside /data/a/l4",
                "symlink a/../../outside /data/l6",
                "symlink ../sub /data/a/l5",
                "read /data/a/l5/canary.txt",
                // planted by the host: never followed out
                "lstat /data/p1",
                "readlink /data/p1",
                "read /data/p1",
                "read /data/p2",
                "read /data/p3/outside/canary.txt",
                "stat /data/p1",
                "write /data/p3/outside/new.txt x",
                "mkdir /data/p3/newdir",
                "rename /data/sub /data/p3/moved",
                "unlink /data/p3/outside/canary.txt",
                "link /data/p3/outside/canary.txt /data/hard",
                "read /data/../outside/canary.txt",
                "link /data/../outside/canary.txt /data/hard2");
        List<String> lines = out.lines().toList();
        assertEquals(
                List.of(
                        "symlink: error Operation not permitted",
                        "symlink: error Operation not permitted",
                        "symlink: error Operation not permitted",
                        "mkdir: ok",
                        "symlink: error Operation not permitted",
                        "symlink: error Operation not permitted",
                        "symlink: ok",
                        "read: " + INSIDE,
                        "lstat: size 21",
                        "readlink: ../outside/canary.txt"),
                lines.subList(0, 10),
                out);
        for (String refused : lines.subList(10, lines.size())) assertTrue(refused.contains(": error "), out);
        for (String name : List.of("l1", "l2", "l3", "a/l4", "l6", "hard", "hard2")) {
            assertFalse(Files.exists(data.resolve(name), LinkOption.NOFOLLOW_LINKS), name + " was created: " + out);
        }
        assertTrue(Files.isDirectory(data.resolve("sub")), out);
        assertOutsideUntouched(out);
    }

    /** ".." after a symlink climbs from where the symlink leads (as the kernel resolves it), and never above /data. */
    @ParameterizedTest
    @ValueSource(strings = {"openat2", "walk"})
    void dotDotThroughSymlinks(String resolver) throws Exception {
        Files.createDirectories(data.resolve("a/b"));
        Files.writeString(data.resolve("a/file.txt"), "A-FILE");
        String out = run(
                resolver,
                List.of(new Preopen(data, "/data")),
                "symlink a/b /data/s",
                "read /data/s/../file.txt",
                "read /data/s/../../sub/canary.txt",
                "read /data/s/../../../outside/canary.txt",
                "stat /data/s/../../..",
                "mkdir /data/s/../../../escaped");
        assertEquals(
                List.of(
                        "symlink: ok",
                        "read: A-FILE",
                        "read: " + INSIDE,
                        "read: error Operation not permitted",
                        "stat: error Operation not permitted",
                        "mkdir: error Operation not permitted"),
                out.lines().toList(),
                out);
        assertOutsideUntouched(out);
    }

    /** fd_readdir of a preopen reports its ".." as itself: nothing of the host directory above reaches the guest. */
    @org.junit.jupiter.api.Test
    void readdirShowsNothingAboveThePreopen() throws Exception {
        long dataIno = (Long) Files.getAttribute(data, "unix:ino");
        String out = run("openat2", List.of(new Preopen(data, "/data")), "ls /data", "ls /data/sub");
        List<String> lines = out.lines().toList();
        assertEquals(
                List.of(
                        "ls: . " + dataIno,
                        "ls: .. " + dataIno,
                        "ls: sub " + Files.getAttribute(data.resolve("sub"), "unix:ino")),
                lines.subList(0, 3),
                out);
        assertTrue(lines.contains("ls: .. " + dataIno), "sub's parent is /data: " + out);
    }

    /** A FIFO is read as natively: the guest waits for its writer (on the host descriptor, without blocking the JVM). */
    @org.junit.jupiter.api.Test
    void aFifoIsReadWhenItsWriterComes() throws Exception {
        Path fifo = mkfifo(data.resolve("fifo"));
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(300);
                Files.writeString(fifo, "FIFO-DATA");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        String out = run("openat2", List.of(new Preopen(data, "/data")), "read /data/fifo");
        writer.join();
        assertEquals("read: FIFO-DATA\n", out);
    }

    /** A guest waiting on a FIFO nobody writes is still stopped by its time limit (no uninterruptible native read). */
    @org.junit.jupiter.api.Test
    void aGuestWaitingOnAFifoIsStoppedAtItsLimit() throws Exception {
        mkfifo(data.resolve("fifo"));
        WasiOptions options =
                options(List.of(new Preopen(data, "/data")), OutputStream.nullOutputStream(), "read /data/fifo");
        options = new WasiOptions(
                options.args(),
                options.env(),
                options.fds(),
                options.preopens(),
                WasiLimits.defaults().withMaxWallTime(Duration.ofMillis(500)));
        long start = System.nanoTime();
        WasiOptions limited = options;
        GuestFailedException e = org.junit.jupiter.api.Assertions.assertThrows(
                GuestFailedException.class,
                () -> TestModules.program("fs_attacks.wasm").run(limited));
        assertEquals(GuestFailedException.Reason.TIME_LIMIT, e.reason());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(20).toNanos(), "stopped promptly");
    }

    private static Path mkfifo(Path path) throws Exception {
        Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        assertEquals(0, p.waitFor());
        return path;
    }

    // ---- helpers ----

    private void assertRaced(String out) throws IOException {
        Matcher m = Pattern.compile("race: 20000 tries, inside (\\d+), refused (\\d+), other (\\d+), created (\\d+)")
                .matcher(out);
        assertTrue(m.find(), out);
        assertEquals(0, Integer.parseInt(m.group(3)), "reads that saw something other than the inside file: " + out);
        // not vacuous: the guest saw the directory both as itself and while it was a symlink (or moved aside)
        assertTrue(Integer.parseInt(m.group(1)) > 0 && Integer.parseInt(m.group(2)) > 0, out);
        assertOutsideUntouched(out);
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(Set.of("canary.txt", "data", "outside"), names(s), "created beside /data");
        }
    }

    /** The canary's token never shows, and nothing outside /data was created, changed or removed. */
    private void assertOutsideUntouched(String out) throws IOException {
        assertFalse(out.contains(secret), "read the canary: " + out);
        assertEquals(secret, Files.readString(canary));
        try (Stream<Path> s = Files.list(outside)) {
            assertEquals(canary.getParent().equals(outside) ? Set.of("canary.txt") : Set.of(), names(s));
        }
        try (Stream<Path> s = Files.list(tmp)) {
            Set<String> top = names(s);
            top.removeAll(Set.of("canary.txt", "data", "outside"));
            assertEquals(Set.of(), top, "created beside /data");
        }
    }

    private static Set<String> names(Stream<Path> s) {
        return s.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toCollection(TreeSet::new));
    }

    private static WasiOptions options(List<Preopen> preopens, OutputStream out, String... commands) {
        List<String> args = new ArrayList<>(List.of("fs_attacks.wasm"));
        for (String c : commands) {
            if (args.size() > 1) args.add("--");
            args.addAll(List.of(c.split(" ")));
        }
        WasiOptions.Builder b = WasiOptions.builder()
                .args(args)
                .stdio(InputStream.nullInputStream(), out, OutputStream.nullOutputStream())
                .limits(WasiLimits.defaults().withMaxWallTime(Duration.ofMinutes(5)));
        preopens.forEach(p -> b.preopen(p.hostDir(), p.guestPath()));
        return b.build();
    }

    /** Runs the guest with {@code resolver} forced and returns its stdout. */
    private static String run(String resolver, List<Preopen> preopens, String... commands) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String old = System.setProperty("donjon.wasi.resolve", resolver);
        try {
            assertEquals(0, TestModules.program("fs_attacks.wasm").run(options(preopens, out, commands)));
        } finally {
            restore(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static GuestRun start(String resolver, List<Preopen> preopens, String... commands) {
        String old = System.setProperty("donjon.wasi.resolve", resolver);
        try {
            return TestModules.program("fs_attacks.wasm")
                    .start(options(preopens, OutputStream.nullOutputStream(), commands));
        } finally {
            restore(old);
        }
    }

    private static void restore(String old) {
        if (old == null) System.clearProperty("donjon.wasi.resolve");
        else System.setProperty("donjon.wasi.resolve", old);
    }
}
