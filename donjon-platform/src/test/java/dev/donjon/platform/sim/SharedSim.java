package dev.donjon.platform.sim;

import dev.donjon.platform.PlatformException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/** One sim chain for the whole test JVM: making it costs two RSA-4096 key generations. */
public final class SharedSim {

    private static Path directory;

    private SharedSim() {}

    public static synchronized Path directory() throws PlatformException {
        if (directory == null) {
            try {
                Path tmp = Files.createTempDirectory("donjon-sim-test");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(tmp)));
                directory = tmp.resolve("sim");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            SimAuthority.loadOrCreate(directory, Clock.systemUTC());
        }
        return directory;
    }

    private static void delete(Path root) {
        try (var files = Files.walk(root)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort at JVM exit
        }
    }
}
