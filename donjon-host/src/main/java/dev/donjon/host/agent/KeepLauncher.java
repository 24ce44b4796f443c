package dev.donjon.host.agent;

import dev.donjon.host.keep.KeepMain;
import dev.donjon.wasi.EngineJvmOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts Keep processes: the same JVM and class path as the agent, running {@link KeepMain}. One OS process per Keep,
 * so a crash, an out-of-memory or a runaway guest ends that Keep only.
 */
public final class KeepLauncher {

    private final Path java;
    private final String classPath;
    private final List<String> extraJvmOptions;

    public KeepLauncher(Path java, String classPath, List<String> extraJvmOptions) {
        this.java = java;
        this.classPath = classPath;
        this.extraJvmOptions = List.copyOf(extraJvmOptions);
    }

    /** This JVM's binary and class path, plus the options in {@code DONJON_KEEP_JAVA_OPTS}. */
    public static KeepLauncher sameJvm() {
        String extra = System.getenv().getOrDefault("DONJON_KEEP_JAVA_OPTS", "").strip();
        return new KeepLauncher(Path.of(System.getProperty("java.home"), "bin", "java"), System.getProperty("java.class.path"),
                extra.isEmpty() ? List.of() : List.of(extra.split("\\s+")));
    }

    Process launch(String keepId, String backend, KeepLimits limits) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.add("-Xmx" + (limits.heapBytes() >> 20) + "m");
        cmd.add("-XX:+UseSerialGC");            // one small heap per Keep: the cheapest collector in memory and threads
        cmd.add("-XX:+ExitOnOutOfMemoryError"); // a guest that exhausts the heap ends its own Keep, cleanly
        cmd.add("-Xshare:auto");
        cmd.addAll(EngineJvmOptions.list());     // the same JIT settings as ./donjon run
        cmd.addAll(extraJvmOptions);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(KeepMain.class.getName());
        cmd.addAll(List.of("--keep-id", keepId, "--backend", backend, "--max-memory", Long.toString(limits.maxMemoryBytes())));
        limits.maxTime().ifPresent(t -> cmd.addAll(List.of("--max-time-ms", Long.toString(t.toMillis()))));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear(); // the Keep gets nothing from the host's environment
        return pb.start();
    }
}
