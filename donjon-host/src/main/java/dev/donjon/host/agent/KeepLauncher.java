package dev.donjon.host.agent;

import dev.donjon.host.keep.KeepMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts Keep processes: the same JVM and class path as the agent, running {@link KeepMain}. One OS process per Keep,
 * so a crash, an out-of-memory or a runaway guest ends that Keep only.
 */
public final class KeepLauncher {

    private final Path javaBinary;
    private final String classPath;
    private final List<String> extraJvmOptions;
    private final Path sharedArchive;

    public KeepLauncher(Path javaBinary, String classPath, List<String> extraJvmOptions) {
        this.javaBinary = javaBinary;
        this.classPath = classPath;
        this.extraJvmOptions = List.copyOf(extraJvmOptions);
        // the JVM archives classes only from jars: with a directory on the class path (tests, IDEs) there is no archive
        boolean jarsOnly = java.util.Arrays.stream(classPath.split(java.io.File.pathSeparator)).allMatch(e -> e.endsWith(".jar"));
        this.sharedArchive = jarsOnly
                ? Path.of(System.getProperty("java.io.tmpdir"), "donjon-keep-" + Integer.toHexString(classPath.hashCode()) + ".jsa")
                : null;
    }

    /** This JVM's binary and class path, plus the options in {@code DONJON_KEEP_JAVA_OPTS}. */
    public static KeepLauncher sameJvm() {
        String extra = System.getenv().getOrDefault("DONJON_KEEP_JAVA_OPTS", "").strip();
        return new KeepLauncher(Path.of(System.getProperty("java.home"), "bin", "java"), System.getProperty("java.class.path"),
                extra.isEmpty() ? List.of() : List.of(extra.split("\\s+")));
    }

    /**
     * Makes the class-data-sharing archive once, with a warm-up Keep that exits normally (a real Keep is usually
     * killed, and a killed JVM writes no archive). Best effort: without it Keeps just start slower.
     */
    public void prepare() {
        if (sharedArchive == null || Files.exists(sharedArchive)) return;
        List<String> cmd = new ArrayList<>(jvmOptions(KeepLimits.defaults()));
        cmd.add(KeepMain.class.getName());
        cmd.add("--warm-up");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) p.destroyForcibly();
        } catch (IOException e) {
            // no archive: slower starts, nothing else
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @param spare the Keep is started ahead of demand: it loads what it will need while it waits for its nonce */
    Process launch(String keepId, String backend, KeepLimits limits, boolean spare) throws IOException {
        List<String> cmd = new ArrayList<>(jvmOptions(limits));
        cmd.add(KeepMain.class.getName());
        cmd.addAll(List.of("--keep-id", keepId, "--backend", backend, "--max-memory", Long.toString(limits.maxMemoryBytes())));
        limits.maxTime().ifPresent(t -> cmd.addAll(List.of("--max-time-ms", Long.toString(t.toMillis()))));
        if (spare) cmd.addAll(List.of("--spare", "yes"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear(); // the Keep gets nothing from the host's environment
        return pb.start();
    }

    private List<String> jvmOptions(KeepLimits limits) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary.toString());
        cmd.add("-Xmx" + (limits.heapBytes() >> 20) + "m");
        cmd.add("-XX:+UseSerialGC");            // one small heap per Keep: the cheapest collector in memory and threads
        cmd.add("-XX:+ExitOnOutOfMemoryError"); // a guest that exhausts the heap ends its own Keep, cleanly
        // class data sharing: the first Keep archives the classes it loaded, later Keeps map them (faster start, and
        // the archive's pages are shared between Keeps); the JVM re-creates it itself when the class path changes
        if (sharedArchive != null) {
            cmd.add("-XX:SharedArchiveFile=" + sharedArchive);
            cmd.add("-XX:+AutoCreateSharedArchive");
        }
        // the Keep's stdout is the link to the agent: every JVM message goes to stderr, CDS chatter nowhere
        cmd.add("-Xlog:disable");
        cmd.add("-Xlog:all=warning,cds*=off:stderr");
        cmd.addAll(extraJvmOptions);
        cmd.add("-cp");
        cmd.add(classPath);
        return cmd;
    }
}
