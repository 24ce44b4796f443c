package dev.donjon.deploy;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs podman as these machines need it (runc, cgroupfs, file and process limits the runtime may set), through a
 * containers.conf of the test's own ({@code CONTAINERS_CONF}), so {@code podman run} and {@code podman kube play}
 * get the same settings and nothing of the machine's configuration is changed.
 */
final class Podman {

    record Result(int exit, String out, String err) {
        Result ok(String what) {
            if (exit != 0)
                fail(what + " failed (exit " + exit + "): " + err.strip() + (out.isBlank() ? "" : "\n" + out.strip()));
            return this;
        }
    }

    private final Path conf;

    Podman(Path dir) throws IOException {
        this.conf = dir.resolve("containers.conf");
        Files.writeString(conf, """
                [containers]
                default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
                [engine]
                runtime = "runc"
                cgroup_manager = "cgroupfs"
                """);
    }

    /** Whether podman is installed here at all. */
    static boolean installed() {
        return Files.isExecutable(Path.of("/usr/bin/podman"));
    }

    Result run(List<String> args) throws IOException, InterruptedException {
        return run(args, null, 300);
    }

    /** {@code podman ARGS}, with {@code stdin} (or nothing) as its input; fails the test after {@code seconds}. */
    Result run(List<String> args, byte[] stdin, long seconds) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("podman"));
        cmd.addAll(args);
        ProcessBuilder b = new ProcessBuilder(cmd);
        b.environment().put("CONTAINERS_CONF", conf.toString());
        if (stdin == null) b.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = b.start();
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        if (stdin != null) {
            try (var in = p.getOutputStream()) {
                in.write(stdin);
            }
        }
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("podman " + String.join(" ", args) + " did not finish within " + seconds + " s");
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    Result run(String... args) throws IOException, InterruptedException {
        return run(List.of(args));
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try (in) {
                        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    } catch (IOException e) {
                        return "";
                    }
                },
                r -> Thread.ofVirtual().start(r));
    }

    /** Removes containers (and their anonymous volumes) whatever their state; never fails. */
    void remove(String... names) {
        for (String n : names) {
            try {
                run(List.of("rm", "-f", "-v", "-t", "1", n), null, 60);
            } catch (Exception | AssertionError ignored) {
                // nothing to remove
            }
        }
    }
}
