package dev.donjon.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Donjon service ({@code donjon steward serve}, {@code donjon drawbridge serve}...) in a JVM of its own, started by
 * a test from the test's own class path, so that it can be killed as an operator's replica would die: {@link #kill}
 * is SIGKILL (no shutdown hook, nothing flushed), {@link #stop} is SIGTERM (the graceful path).
 */
public final class ServiceProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;
    private final Matcher started;

    private ServiceProcess(String name, Process process, Path log, Matcher started) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.started = started;
    }

    /**
     * Runs {@code mainClass args} with this JVM's class path, its output in {@code dir/NAME.log}, and waits until a
     * line matches {@code ready} (say, the line naming the port it listens on; its groups are then {@link #group}).
     */
    public static ServiceProcess start(String name, Path dir, String mainClass, List<String> args, Pattern ready)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Xshare:auto",
                "-Xmx256m",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                mainClass));
        cmd.addAll(args);
        Path log = dir.resolve(name + ".log");
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            Matcher m = ready.matcher(Files.readString(log));
            if (m.find()) return new ServiceProcess(name, p, log, m);
            if (!p.isAlive()) fail(name + " exited (" + p.exitValue() + "): " + Files.readString(log));
            Thread.sleep(100);
        }
        p.destroyForcibly();
        fail(name + " did not start within 120 s: " + Files.readString(log));
        return null;
    }

    public String name() {
        return name;
    }

    /** A group of the line that said the service was ready. */
    public String group(int i) {
        return started.group(i);
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    /** SIGKILL, and waits for the process to be gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM; the exit code, or -1 if it did not exit within {@code seconds}. */
    public int stop(long seconds) throws InterruptedException {
        process.destroy();
        return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) kill();
    }
}
