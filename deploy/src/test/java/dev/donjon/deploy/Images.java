package dev.donjon.deploy;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Donjon's images, built once per test JVM by the project's own script ({@code deploy/images/build.sh --no-build}: the
 * jars this build just packaged, the cached Debian base and jlinked runtime), tagged {@link #TAG}.
 */
final class Images {
    static final String TAG = "it";
    static final String PREFIX = "localhost/donjon";
    private static boolean built;

    private Images() {}

    static Path root() {
        return Path.of(System.getProperty("donjon.root", "..")).toAbsolutePath().normalize();
    }

    /** Builds the images, unless -Ddonjon.images.prebuilt=true says they were built from this tree already (iterating on a test). */
    static synchronized void build() throws Exception {
        if (!Podman.installed())
            fail("podman is missing: .ci/containers.sh installs it (apt-get install podman runc mmdebstrap)");
        if (built || Boolean.getBoolean("donjon.images.prebuilt")) return;
        Process p = new ProcessBuilder(
                        "bash", root().resolve("deploy/images/build.sh").toString(), "--no-build", "--tag", TAG)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) fail("deploy/images/build.sh failed:\n" + out);
        built = true;
    }

    static String image(String name) {
        return PREFIX + "/" + name + ":" + TAG;
    }
}
