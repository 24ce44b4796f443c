package dev.donjon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a command loads is what it uses: {@code donjon run} of a module without Enarx.toml or Donjon.toml none of the
 * libraries it does not need (Jackson's mapper alone is about 430 classes), {@code donjon --version} no command class
 * at all. Each costs start-up (bench/README.md, Start-up); a guard on what is loaded, not a timing.
 */
class StartupClassesTest {
    /**
     * Jackson's mappers, BouncyCastle, AWS-LC. (jackson-core's JacksonException alone is loaded: the verifier loads
     * it for the config readers' catch clauses; nothing of it runs.)
     */
    private static final List<String> UNUSED = List.of(
            "com.fasterxml.jackson.databind.", "com.fasterxml.jackson.dataformat.", "org.bouncycastle.", "com.amazon.");

    @Test
    void versionLoadsNoCommandAndNoPicocli(@TempDir Path dir) throws Exception {
        List<String> cmd = RunCommandTest.javaDonjon();
        cmd.set(cmd.size() - 1, Main.class.getName()); // the jar's Main-Class
        cmd.add("--version");
        List<String> loaded = loadedClasses(dir, cmd);
        assertEquals(
                List.of(), loaded.stream().filter(c -> c.startsWith("picocli.")).toList());
        assertEquals(
                List.of(Main.class.getName()),
                loaded.stream().filter(c -> c.startsWith("dev.donjon.")).toList());
        assertTrue(Files.readString(dir.resolve("out.txt")).startsWith("donjon "));
        // Classes spun at run time (method handles for a lambda or a string concatenation) are never in a start-up
        // cache: each cost --version milliseconds (Runtime.version().toString() alone spun four)
        assertEquals(
                List.of(),
                Files.readAllLines(dir.resolve("classes.txt")).stream()
                        .filter(line -> line.contains("source: __"))
                        .toList());
    }

    @Test
    void versionNamesTheJavaItRunsOn() {
        assertEquals(
                "on Java " + Runtime.version(),
                Main.version().substring(Main.version().indexOf("on Java ")));
    }

    @Test
    void runningHelloLoadsNoJacksonBouncyCastleOrAwsLc(@TempDir Path dir) throws Exception {
        List<String> unused = loadedClasses(dir, runHello("--no-module-cache")).stream()
                .filter(name -> UNUSED.stream().anyMatch(name::startsWith))
                .toList();
        assertEquals("Hello, world!\n", Files.readString(dir.resolve("out.txt")));
        assertEquals(List.of(), unused.stream().limit(5).toList(), unused.size() + " classes of unused libraries");
    }

    /**
     * A module whose compiled classes are in the compiled-module cache runs without the compiler: no class of ASM,
     * Chicory's compiler or Donjon's rewrites of its classes. Each class loaded at run time is also one the start-up
     * cache keeps and loads at every start, and ASM's (class files of Java 5) cannot be kept in it: the JVM loaded
     * about twenty of them from the jar at every start to check the kept classes that use them.
     */
    @Test
    void runningACachedModuleLoadsNoCompiler(@TempDir Path dir) throws Exception {
        List<String> cmd = runHello();
        loadedClasses(dir, cmd); // fills the cache
        List<String> compiler = loadedClasses(dir, cmd).stream()
                .filter(name -> COMPILER.stream().anyMatch(name::startsWith))
                .toList();
        assertEquals("Hello, world!\n", Files.readString(dir.resolve("out.txt")));
        assertEquals(List.of(), compiler);
    }

    /** ASM, Chicory's compiler, and what rewrites its classes. */
    private static final List<String> COMPILER = List.of(
            "org.objectweb.asm.",
            "com.dylibso.chicory.compiler.internal.Compiler",
            "com.dylibso.chicory.compiler.internal.ClassLoadingCollector",
            "dev.donjon.wasi.chicory.split.",
            "dev.donjon.wasi.chicory.ModuleCompiler",
            "dev.donjon.wasi.chicory.MemoryInLocals",
            "dev.donjon.wasi.chicory.GlobalsRewrite",
            "dev.donjon.wasi.chicory.OversizedFunctions");

    /** {@code donjon run --backend nil OPTIONS examples/hello/hello.wasm}. */
    private static List<String> runHello(String... options) {
        List<String> cmd = RunCommandTest.javaDonjon();
        cmd.addAll(List.of("run", "--backend", "nil"));
        cmd.addAll(List.of(options));
        cmd.add(RunCommandTest.ROOT.resolve("examples/hello/hello.wasm").toString());
        return cmd;
    }

    /**
     * Runs {@code cmd} with class loading logged; its stdout goes to out.txt in {@code dir}, and its compiled-module
     * cache is under {@code dir}.
     */
    private static List<String> loadedClasses(Path dir, List<String> cmd) throws Exception {
        Path log = dir.resolve("classes.txt");
        cmd = new java.util.ArrayList<>(cmd);
        cmd.add(1, "-Xlog:class+load=info:file=" + log);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile());
        pb.environment().put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("err.txt")));
        return Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                .map(line -> line.replaceFirst("^.*\\[class,load\\] ", "").replaceFirst(" .*$", ""))
                .toList();
    }
}
