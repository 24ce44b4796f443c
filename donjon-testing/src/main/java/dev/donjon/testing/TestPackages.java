package dev.donjon.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The project's own installer of the Debian packages tests start as real servers ({@code .ci/test-packages.sh}, also
 * run by {@code .ci/run}), so that a fresh machine needs no manual step. Fixtures call it when a binary is missing and
 * fail the test if it is still missing afterwards: they never skip.
 */
final class TestPackages {
    private TestPackages() {}

    static void install() throws Exception {
        Path script = Path.of(System.getProperty("donjon.root", "..")).resolve(".ci/test-packages.sh");
        if (!Files.isRegularFile(script)) return;
        Process p = new ProcessBuilder("bash", script.toString()).inheritIO().start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) p.destroyForcibly();
    }
}
