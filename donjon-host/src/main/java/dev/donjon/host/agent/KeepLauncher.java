package dev.donjon.host.agent;

import dev.donjon.host.keep.KeepMain;
import dev.donjon.keep.NetworkPolicy;
import dev.donjon.wasi.EngineJvmOptions;
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

    /** What donjon-platform reads to find the TEE devices, the sim chain and cached collateral. */
    private static final java.util.Set<String> PLATFORM_VARIABLES = java.util.Set.of("DONJON_TSM_REPORT", "DONJON_SEV_GUEST",
            "DONJON_TDX_GUEST", "DONJON_CPUINFO", "DONJON_GRAMINE_ATTESTATION", "DONJON_SIM_DIR", "DONJON_AMD_CACHE",
            "DONJON_INTEL_CACHE", "XDG_DATA_HOME", "HOME");

    private final Path javaBinary;
    private final String classPath;
    private final List<String> extraJvmOptions;
    private final Path sharedArchive;

    private final java.util.Map<String, String> environment;

    public KeepLauncher(Path javaBinary, String classPath, List<String> extraJvmOptions) {
        this(javaBinary, classPath, extraJvmOptions, java.util.Map.of());
    }

    private KeepLauncher(Path javaBinary, String classPath, List<String> extraJvmOptions, java.util.Map<String, String> environment) {
        this.environment = java.util.Map.copyOf(environment);
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

    /** The same launcher, with platform settings for the Keeps (e.g. {@code DONJON_SIM_DIR}) set to these values. */
    public KeepLauncher withEnvironment(java.util.Map<String, String> values) {
        for (String k : values.keySet()) {
            if (!PLATFORM_VARIABLES.contains(k)) throw new IllegalArgumentException(k + " is not a platform setting");
        }
        return new KeepLauncher(javaBinary, classPath, extraJvmOptions, values);
    }

    /** The platform settings the Keeps will see. */
    public dev.donjon.platform.PlatformSettings platformSettings() {
        java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.putAll(environment);
        return dev.donjon.platform.PlatformSettings.fromEnvironment(env);
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

    /**
     * @param network what the Keep's sockets may reach and where they listen (the Keep enforces it)
     * @param spare   the Keep is started ahead of demand: it loads what it will need while it waits for its nonce
     */
    Process launch(String keepId, String backend, KeepLimits limits, NetworkPolicy network, boolean spare) throws IOException {
        List<String> cmd = new ArrayList<>(jvmOptions(limits));
        cmd.add(KeepMain.class.getName());
        cmd.addAll(List.of("--keep-id", keepId, "--backend", backend, "--max-memory", Long.toString(limits.maxMemoryBytes())));
        limits.maxTime().ifPresent(t -> cmd.addAll(List.of("--max-time-ms", Long.toString(t.toMillis()))));
        limits.maxCpuTime().ifPresent(t -> cmd.addAll(List.of("--max-cpu-time-ms", Long.toString(t.toMillis()))));
        cmd.addAll(List.of("--connect-policy", network.connect().argument()));
        network.listenAddress().ifPresent(a -> cmd.addAll(List.of("--listen-address", a.getHostAddress())));
        if (spare) cmd.addAll(List.of("--spare", "yes"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        // the Keep gets nothing from the host's environment but where its platform lives
        pb.environment().keySet().removeIf(k -> !PLATFORM_VARIABLES.contains(k));
        pb.environment().putAll(environment);
        // fewer malloc arenas: less native memory lost to fragmentation across the JVM's threads (KeepProcessMemory)
        pb.environment().put("MALLOC_ARENA_MAX", "2");
        return pb.start();
    }

    private List<String> jvmOptions(KeepLimits limits) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary.toString());
        // heap, metaspace, code cache and direct memory capped from the guest's limit; see KeepProcessMemory
        cmd.addAll(limits.processMemory().jvmOptions());
        cmd.add("-XX:+UseSerialGC");            // one small heap per Keep: the cheapest collector in memory and threads
        // start small and give memory back after a collection (an idle sim Keep: 213 -> 190 MiB RSS measured)
        cmd.add("-Xms8m");
        cmd.add("-XX:MinHeapFreeRatio=5");
        cmd.add("-XX:MaxHeapFreeRatio=20");
        // a guest that exhausts a capped region ends its own Keep (ExitOnOutOfMemoryError, in the options above); the JVM
        // says why on its "tty", stdout by default: that is the link, where the message once broke the frame protocol
        cmd.add("-XX:+DisplayVMOutputToStderr");
        // the snp backend reaches /dev/sev-guest through the FFM API (libc ioctl) where configfs-tsm is absent;
        // without this the JVM prints a restricted-method warning into the Keep's stderr (./donjon: jar manifest)
        cmd.add("--enable-native-access=ALL-UNNAMED");
        // class data sharing: the first Keep archives the classes it loaded, later Keeps map them (faster start, and
        // the archive's pages are shared between Keeps); the JVM re-creates it itself when the class path changes
        if (sharedArchive != null) {
            cmd.add("-XX:SharedArchiveFile=" + sharedArchive);
            cmd.add("-XX:+AutoCreateSharedArchive");
        }
        // the Keep's stdout is the link to the agent: every JVM message goes to stderr, CDS chatter nowhere
        cmd.add("-Xlog:disable");
        cmd.add("-Xlog:all=warning,cds*=off:stderr");
        cmd.addAll(EngineJvmOptions.list());     // the same JIT settings as ./donjon run
        cmd.addAll(extraJvmOptions);
        cmd.add("-cp");
        cmd.add(classPath);
        return cmd;
    }
}
