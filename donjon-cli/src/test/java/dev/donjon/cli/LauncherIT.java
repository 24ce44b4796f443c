package dev.donjon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ./donjon} launcher put on PATH the way the README installs it: through symlinks, from any directory. */
class LauncherIT {

    @TempDir
    Path dir;

    @Test
    void runsThroughAChainOfSymlinksFromAnotherDirectory() throws Exception {
        Path repo = Path.of(System.getProperty("donjon.root", ".."))
                .toAbsolutePath()
                .normalize();
        ReadmeBlocksIT.launcherUsesThisBuild(repo);
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path links = Files.createDirectories(dir.resolve("links"));
        Files.createSymbolicLink(links.resolve("donjon"), repo.resolve("donjon"));
        Files.createSymbolicLink(bin.resolve("donjon"), Path.of("../links/donjon")); // relative, to a link
        Path work = Files.createDirectories(dir.resolve("elsewhere"));
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", "donjon --version && donjon run --backend nil \"$HELLO\"")
                .directory(work.toFile())
                .redirectInput(new File("/dev/null"));
        pb.environment().put("PATH", bin + File.pathSeparator + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("HELLO", repo.resolve("examples/hello/hello.wasm").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        assertTrue(out.startsWith("donjon ") && out.endsWith("Hello, world!\n"), out + err);
    }
}
