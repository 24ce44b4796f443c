package dev.donjon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code donjon run} and {@code donjon config} as a user runs them: a separate JVM per command, so exit codes,
 * stdout and stderr are exactly what a shell sees (and a stack trace anywhere would show).
 */
@Timeout(60)
class RunCommandTest {
    static final Path ROOT = Path.of(System.getProperty("donjon.root", ".."));
    static final Path SHARED = Path.of(System.getProperty("donjon.shared", "../../shared"));
    /** The compiled-module cache of the commands run here: theirs, not the user's. */
    @TempDir
    static Path cacheHome;

    record Result(int exit, String out, String err) {
        /** Bad input: one line on stderr starting "donjon: ", a non-zero exit, no stack trace. */
        void isOneLineError(String expectedStart) {
            assertNotEquals(0, exit, err);
            // the guest ran on nil, chosen for the user: said first, on its own line (see helloExample)
            String err = this.err.startsWith(NO_TEE) ? this.err.substring(this.err.indexOf('\n') + 1) : this.err;
            assertTrue(err.startsWith("donjon: " + expectedStart), err);
            assertEquals(1, err.lines().count(), "exactly one line: " + err);
            assertFalse(err.contains("Exception") || err.contains("\tat "), err);
        }
    }

    static Result donjon(String... args) throws IOException, InterruptedException {
        return donjonWith(Map.of(), args);
    }

    /**
     * The command line of {@code donjon} in a new JVM, as the launcher starts it: native access allowed (the jar's
     * manifest says {@code Enable-Native-Access: ALL-UNNAMED}; the WASI host calls libc through the FFM API).
     */
    static List<String> javaDonjon() {
        return new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                Donjon.class.getName()));
    }

    /** Runs {@code donjon ARGS} in a new JVM whose environment has {@code env} added; stdin is empty. */
    static Result donjonWith(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = javaDonjon();
        cmd.addAll(List.of(args));
        ProcessBuilder pb =
                new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("XDG_CACHE_HOME", cacheHome.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        var err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        var out = readAll(p.getInputStream());
        if (!p.waitFor(50, TimeUnit.SECONDS)) p.destroyForcibly();
        return new Result(p.exitValue(), out, err.join());
    }

    private static String readAll(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String path(Path p) {
        return p.toAbsolutePath().toString();
    }

    static String showEnv() {
        return path(ROOT.resolve("donjon-keep/src/test/resources/wasm/show_env.wasm"));
    }

    /** What {@code run} says when it picked nil itself: nothing protects the guest, and the user may not know. */
    static final String NO_TEE = "donjon: no TEE: nothing is protected (";

    /** The environment of a machine without any TEE, whatever this one is: every backend looks where nothing exists. */
    static Map<String, String> noTee(Path dir) {
        return Map.of(
                "DONJON_TSM_REPORT",
                dir.resolve("tsm").toString(),
                "DONJON_SEV_GUEST",
                dir.resolve("sev").toString(),
                "DONJON_TDX_GUEST",
                dir.resolve("tdx").toString(),
                "DONJON_GRAMINE_ATTESTATION",
                dir.resolve("gramine").toString());
    }

    @Test
    void helloExample(@TempDir Path dir) throws Exception {
        Result r = donjonWith(noTee(dir), "run", path(ROOT.resolve("examples/hello/hello.wasm")));
        assertEquals(0, r.exit(), r.err());
        assertEquals("Hello, world!\n", r.out(), "the guest's stdout stays clean");
        assertTrue(
                r.err().startsWith(NO_TEE)
                        && r.err().endsWith(")\n")
                        && r.err().lines().count() == 1,
                "one notice line: " + r.err());
        assertEquals(
                new Result(0, "Hello, world!\n", ""),
                donjon("run", "--backend", "nil", path(ROOT.resolve("examples/hello/hello.wasm"))),
                "nil named: no notice");
    }

    @Test
    void enarxBackendNamesAreAcceptedAndSaidSo(@TempDir Path dir) throws Exception {
        Result kvm = donjonWith(Map.of("ENARX_BACKEND", "kvm"), "run", showEnv());
        assertEquals(0, kvm.exit(), kvm.err());
        assertEquals("argv[0]=main.wasm\n", kvm.out());
        assertEquals(
                "donjon: backend 'kvm' is Enarx's name for Donjon's nil (a Keep without a TEE: nothing is protected)\n",
                kvm.err());
        Map<String, String> env = new java.util.HashMap<>(noTee(dir));
        donjonWith(env, "run", "--backend", "sev", showEnv())
                .isOneLineError("backend 'snp' (Enarx's 'sev') (from --backend) is not usable here: ");
    }

    @Test
    void exitCodeArgumentsAndEnvironmentReachTheGuest() throws Exception {
        Result r = donjon("run", "--env", "EXIT_CODE=7", "--env", "X=a b", showEnv(), "one", "--env", "Y=z");
        assertEquals(7, r.exit(), r.err());
        assertEquals(
                "argv[0]=main.wasm\nargv[1]=one\nargv[2]=--env\nargv[3]=Y=z\nenv=EXIT_CODE=7\nenv=X=a b\n", r.out());
    }

    @Test
    void subcommandsHaveHelp() {
        assertEquals(0, Donjon.execute("run", "--help"));
        assertEquals(0, Donjon.execute("config", "init", "--help"));
    }

    @Test
    void separatorRightAfterTheModuleIsDropped() throws Exception {
        assertEquals(
                "argv[0]=main.wasm\nargv[1]=a\nargv[2]=--\n",
                donjon("run", showEnv(), "--", "a", "--").out());
    }

    @Test
    void configFileFromTheEnvironmentVariable(@TempDir Path dir) throws Exception {
        Path toml = Files.writeString(dir.resolve("Enarx.toml"), "args = [\"cfg\"]\n[env]\nFROM = \"toml\"\n");
        Result r = donjonWith(Map.of("ENARX_WASMCFGFILE", toml.toString()), "run", showEnv());
        assertEquals(0, r.exit(), r.err());
        assertTrue(
                r.out()
                        .startsWith(
                                "argv[0]=main.wasm\nargv[1]=cfg\nenv=FD_COUNT=3\nenv=FD_NAMES=stdin:stdout:stderr\nenv=FROM=toml\n"),
                r.out());
    }

    @Test
    void preopenedDirectories(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("note.txt"), "from the host\n");
        String catFile = path(ROOT.resolve("donjon-keep/src/test/resources/wasm/cat_file.wasm"));
        assertEquals(
                new Result(0, "from the host\n", ""),
                donjon("run", "--backend", "nil", "--dir", dir + "::/data", catFile, "/data/note.txt"));
        assertEquals(
                new Result(0, "from the host\n", ""),
                donjon("run", "--backend", "nil", "--dir", dir.toString(), catFile, dir + "/note.txt"));
        Result outside = donjon("run", "--backend", "nil", "--dir", dir + "::/data", catFile, "/etc/hostname");
        assertEquals(1, outside.exit());
        assertEquals("", outside.out());
        donjon("run", "--dir", dir.resolve("missing") + "::/data", catFile, "/data/x")
                .isOneLineError("preopened directory ");
    }

    @Test
    void garbageModule(@TempDir Path dir) throws Exception {
        Path bad = Files.write(
                dir.resolve("garbage.wasm"), "\0asm but not really a module".getBytes(StandardCharsets.UTF_8));
        donjon("run", bad.toString()).isOneLineError("");
        Path text = Files.writeString(dir.resolve("text.wasm"), "hello");
        donjon("run", text.toString()).isOneLineError("not a WebAssembly module (bad magic)");
    }

    @Test
    void moduleWithoutStart() throws Exception {
        donjon("run", path(SHARED.resolve("wasm/fixtures/no_export.wasm")))
                .isOneLineError("module has no _start export");
    }

    @Test
    void missingModule() throws Exception {
        donjon("run", "no-such.wasm").isOneLineError("no-such.wasm: no such file");
    }

    @Test
    void badToml(@TempDir Path dir) throws Exception {
        Path toml = Files.writeString(dir.resolve("Enarx.toml"), "[[files]\nkind = \"stdin\"\n");
        donjon("run", "--wasmcfgfile", toml.toString(), showEnv()).isOneLineError(toml + ": invalid TOML at line ");
    }

    @Test
    void unknownKey(@TempDir Path dir) throws Exception {
        Path toml = Files.writeString(
                dir.resolve("Enarx.toml"),
                "[[files]]\nkind = \"stdin\"\n[[files]]\nkind = \"stdout\"\n[[files]]\nkind = \"listen\"\nprto = \"tcp\"\n");
        donjon("run", "--wasmcfgfile", toml.toString(), showEnv()).isOneLineError(toml + ": unknown key files[2].prto");
    }

    @Test
    void portInUse(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path toml = Files.writeString(
                    dir.resolve("Enarx.toml"),
                    "[[files]]\nkind = \"listen\"\nprot = \"tcp\"\nname = \"ECHO\"\naddr = \"127.0.0.1\"\nport = "
                            + taken.getLocalPort() + "\n");
            donjon("run", "--wasmcfgfile", toml.toString(), path(ROOT.resolve("examples/echo/echo.wasm")))
                    .isOneLineError("listen \"ECHO\": port " + taken.getLocalPort() + " is already in use");
        }
    }

    @Test
    void stewardIsNotFaked(@TempDir Path dir) throws Exception {
        // a Keep that cannot enroll never runs its guest unattested (the enrollment itself: StewardEnrollmentTest)
        Path toml = Files.writeString(dir.resolve("Enarx.toml"), "steward = \"https://steward.invalid\"\n");
        Result r = donjon("run", "--wasmcfgfile", toml.toString(), showEnv());
        assertEquals("", r.out());
        assertNotEquals(0, r.exit());
        assertTrue(
                r.err()
                        .lines()
                        .toList()
                        .getLast()
                        .startsWith("donjon: cannot reach the Steward at https://steward.invalid"),
                r.err());
    }

    @Test
    void backendsAreChosenAsEnarxDoes(@TempDir Path dir) throws Exception {
        donjon("run", "--backend", "quantum", showEnv()).isOneLineError("unknown backend 'quantum' (from --backend)");
        assertEquals(new Result(0, "argv[0]=main.wasm\n", ""), donjon("run", "--backend", "nil", showEnv()));
        Map<String, String> noTee = noTee(dir);
        donjonWith(noTee, "run", "--backend", "snp", showEnv())
                .isOneLineError("backend 'snp' (from --backend) is not usable here: ");
        donjonWith(
                        Map.of(
                                "ENARX_BACKEND",
                                "tdx",
                                "DONJON_TSM_REPORT",
                                dir.resolve("tsm").toString(),
                                "DONJON_TDX_GUEST",
                                dir.resolve("tdx").toString()),
                        "run",
                        showEnv())
                .isOneLineError("backend 'tdx' (from ENARX_BACKEND) is not usable here: ");
        Result auto = donjonWith(noTee, "--log-level", "info", "run", showEnv());
        assertEquals(0, auto.exit(), auto.err());
        assertTrue(auto.err().contains("backend nil (no hardware protection): no TEE found"), auto.err());
    }

    @Test
    void runawayMemoryIsStopped() throws Exception {
        Result r = donjon(
                "run",
                "--max-memory",
                "64MiB",
                path(ROOT.resolve("donjon-wasi/src/test/resources/wasm/runaway_memory.wasm")));
        r.isOneLineError("guest exceeded its memory limit of 64 MiB");
        assertEquals(OneLineErrors.LIMIT, r.exit());
    }

    @Test
    void runsAPackageDirectoryWithItsEnarxToml(@TempDir Path dir) throws Exception {
        assertEquals(
                new Result(0, "Hello, world!\n", ""),
                donjon("run", "--backend", "nil", path(ROOT.resolve("examples/hello"))));
        Path pkg = Files.createDirectories(dir.resolve("pkg"));
        Files.copy(Path.of(showEnv()), pkg.resolve("main.wasm"));
        Files.writeString(pkg.resolve("Enarx.toml"), "env = { FROM_TOML = \"yes\" }\n");
        Result r = donjon("run", "--backend", "nil", pkg.toString(), "one");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("env=FROM_TOML=yes\n") && r.out().contains("argv[1]=one\n"), r.out());
        donjon("run", "--backend", "nil", dir.toString()).isOneLineError(dir + " is a directory without main.wasm");
    }

    @Test
    void envWithoutAValueInheritsTheHostsAndOnlyThat() throws Exception {
        Result r = donjonWith(
                Map.of("GREETING", "hi there", "OTHER", "secret"),
                "run",
                "--backend",
                "nil",
                "--env",
                "GREETING",
                "--env",
                "A=1",
                showEnv());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("env=GREETING=hi there\n") && r.out().contains("env=A=1\n"), r.out());
        assertFalse(r.out().contains("OTHER"), r.out());
        donjon("run", "--backend", "nil", "--env", "DONJON_SURELY_UNSET", showEnv())
                .isOneLineError("--env DONJON_SURELY_UNSET: DONJON_SURELY_UNSET is not set in this environment");
    }

    /** A guest that traps (here: {@code unreachable} in {@code _start}) exits as under wasmtime, not as a refusal does. */
    @Test
    void aTrapHasItsOwnExitCode(@TempDir Path dir) throws Exception {
        byte[] trap = java.util.HexFormat.of()
                .parseHex(
                        "0061736d01000000" // (module
                                + "010401600000" + "03020100" + "0503010001" // (type (func)) (func (type 0)) (memory 1)
                                + "0713" + "02" + "066d656d6f72790200"
                                + "065f73746172740000" // (export "memory" (memory 0)) (export "_start" (func 0))
                                + "0a05010300000b"); // (func unreachable))
        Path wasm = Files.write(dir.resolve("trap.wasm"), trap);
        Result r = donjon("run", "--backend", "nil", wasm.toString());
        r.isOneLineError("guest trapped: ");
        assertEquals(OneLineErrors.TRAP, r.exit());
        Result config = donjon(
                "run",
                "--backend",
                "nil",
                "--wasmcfgfile",
                dir.resolve("none.toml").toString(),
                wasm.toString());
        assertEquals(OneLineErrors.FAILURE, config.exit(), "a configuration error: " + config.err());
    }

    @Test
    void infiniteLoopIsStopped() throws Exception {
        Result r = donjon(
                "run",
                "--max-time",
                "300ms",
                path(ROOT.resolve("donjon-wasi/src/test/resources/wasm/infinite_loop.wasm")));
        r.isOneLineError("guest ran longer than 300 ms and was stopped");
        assertEquals(OneLineErrors.LIMIT, r.exit());
    }

    @Test
    void infiniteLoopIsStoppedByTheCpuTimeLimit() throws Exception {
        Result r = donjon(
                "run",
                "--max-cpu-time",
                "300ms",
                path(ROOT.resolve("donjon-wasi/src/test/resources/wasm/infinite_loop.wasm")));
        r.isOneLineError("guest used more than 300 ms of CPU time and was stopped");
        assertEquals(OneLineErrors.LIMIT, r.exit(), "as --max-time reports");
    }

    @Test
    void sleepingGuestIsNotStoppedByTheCpuTimeLimit() throws Exception {
        // asleep in poll_oneoff for 1.5 s, far past 200 ms of CPU time, well inside 30 s of wall time
        Result r = donjon(
                "run",
                "--backend",
                "nil",
                "--max-cpu-time",
                "200ms",
                "--max-time",
                "30s",
                path(ROOT.resolve("donjon-wasi/src/test/resources/wasm/sleeper.wasm")),
                "1500");
        assertEquals(new Result(0, "", ""), r);
    }

    @Test
    void badCpuTimeValuesAreUsageErrors() throws Exception {
        Result word = donjon("run", "--max-cpu-time", "soon", showEnv());
        assertEquals(OneLineErrors.USAGE, word.exit(), word.err());
        assertTrue(
                word.err().startsWith("donjon: Invalid value for option '--max-cpu-time': 'soon' is not a duration"),
                word.err());
        Result zero = donjon("run", "--max-cpu-time", "0ms", showEnv());
        assertEquals(OneLineErrors.USAGE, zero.exit(), zero.err());
        zero.isOneLineError("CPU-time limit must be positive");
    }

    @Test
    void moreFdsThanTheProcessCanOpenIsAUsageError() throws Exception {
        // issue 12 §4: accepted before; the guest's fds are the process's, so past RLIMIT_NOFILE they cannot exist
        Result huge = donjon("run", "--max-fds", "100000000", showEnv());
        assertEquals(OneLineErrors.USAGE, huge.exit(), huge.err());
        huge.isOneLineError("--max-fds 100000000 is more than this process can open (");
        assertTrue(huge.err().contains("RLIMIT_NOFILE"), huge.err());
        Result few = donjon("run", "--max-fds", "64", showEnv());
        assertEquals(0, few.exit(), few.err());
    }

    @Test
    void theDefaultFdLimitFitsAProcessWithFewFds() throws Exception {
        // a host whose soft and hard RLIMIT_NOFILE are 512: the default 16384 is lowered to fit, not an error
        List<String> cmd = new ArrayList<>(List.of(
                "sh",
                "-c",
                "ulimit -n 512 && exec \"$@\"",
                "sh",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Donjon.class.getName(),
                "run",
                "--backend",
                "nil",
                showEnv())); // named: no notice among the output
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true);
        pb.environment().put("XDG_CACHE_HOME", cacheHome.toString());
        Process p = pb.start();
        String out = readAll(p.getInputStream());
        assertTrue(p.waitFor(50, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertEquals("argv[0]=main.wasm\n", out);
    }

    @Test
    void badLimitValuesAreUsageErrors() throws Exception {
        Result r = donjon("run", "--max-memory", "lots", showEnv());
        assertEquals(OneLineErrors.USAGE, r.exit());
        assertTrue(r.err().contains("'lots' is not a size"), r.err());
        Result big = donjon("run", "--max-memory", "3G", showEnv());
        assertEquals(OneLineErrors.USAGE, big.exit(), big.err());
        assertTrue(big.err().startsWith("donjon: memory limit must be between 64 KiB and 2 GiB"), big.err());
    }

    @Test
    void configInitWritesTheTemplateOnceAndAModuleRunsWithIt(@TempDir Path dir) throws Exception {
        Path toml = dir.resolve("Enarx.toml");
        Result r = donjon("config", "init", toml.toString());
        assertEquals(0, r.exit(), r.err());
        String written = Files.readString(toml);
        assertTrue(written.contains("# kind = \"listen\""), written);

        Result again = donjon("config", "init", toml.toString());
        again.isOneLineError(toml + " already exists; not overwriting it");
        assertEquals(written, Files.readString(toml));

        Result check = donjon("config", "check", toml.toString());
        assertEquals(0, check.exit(), check.err());
        assertEquals(toml + ": OK\nfd 0: stdin stdin\nfd 1: stdout stdout\nfd 2: stderr stderr\n", check.out());

        Result runs = donjon("run", "--wasmcfgfile", toml.toString(), showEnv());
        assertEquals(0, runs.exit(), runs.err());
        assertTrue(runs.out().contains("env=FD_COUNT=3\nenv=FD_NAMES=stdin:stdout:stderr\n"), runs.out());
    }
}
