package dev.donjon.host.agent;

import dev.donjon.common.LogLines;
import dev.donjon.host.keep.KeepMain;
import dev.donjon.keep.NetworkPolicy;
import dev.donjon.wasi.EngineJvmOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Starts Keep processes: the same JVM and class path as the agent, running {@link KeepMain}. One OS process per Keep,
 * so a crash, an out-of-memory or a runaway guest ends that Keep only.
 */
public final class KeepLauncher {

    /** What donjon-platform reads to find the TEE devices, the sim chain and cached collateral. */
    private static final java.util.Set<String> PLATFORM_VARIABLES = java.util.Set.of(
            "DONJON_TSM_REPORT",
            "DONJON_SEV_GUEST",
            "DONJON_TDX_GUEST",
            "DONJON_CPUINFO",
            "DONJON_GRAMINE_ATTESTATION",
            "DONJON_SIM_DIR",
            "DONJON_AMD_CACHE",
            "DONJON_INTEL_CACHE",
            "XDG_DATA_HOME",
            "HOME");

    private final Path javaBinary;
    private final String classPath;
    private final List<String> extraJvmOptions;
    /** The Keeps' start-up cache, or null (see {@link #startupCache}). */
    private final Path aotCache;

    private final java.util.Map<String, String> environment;

    public KeepLauncher(Path javaBinary, String classPath, List<String> extraJvmOptions) {
        this(javaBinary, classPath, extraJvmOptions, java.util.Map.of());
    }

    private KeepLauncher(
            Path javaBinary,
            String classPath,
            List<String> extraJvmOptions,
            java.util.Map<String, String> environment) {
        this.environment = java.util.Map.copyOf(environment);
        this.javaBinary = javaBinary;
        this.classPath = classPath;
        this.extraJvmOptions = List.copyOf(extraJvmOptions);
        this.aotCache = startupCache(classPath, javaBinary);
    }

    /**
     * Where the Keeps' start-up cache (JDK 25's AOT cache: the classes a Keep loads, parsed and linked, with their
     * profiles) lives: beside the first jar of the class path, so it is exactly as trustworthy as the code it caches
     * (whoever can write there can already replace the jars; it was a predictable name in the shared temporary
     * directory, where any local user could have planted one first). Null when the class path has a directory (the
     * JVM caches classes only from jars: tests, IDEs) or that directory is not writable (an installed, read-only
     * copy): Keeps then start without it.
     */
    private static Path startupCache(String classPath, Path javaBinary) {
        String[] entries = classPath.split(java.io.File.pathSeparator);
        if (entries.length == 0 || !java.util.Arrays.stream(entries).allMatch(e -> e.endsWith(".jar"))) return null;
        Path dir = Path.of(entries[0]).toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir) || !Files.isWritable(dir)) return null;
        String key = Integer.toHexString((classPath + "\n" + javaBinary + "\n" + Runtime.version()).hashCode());
        return dir.resolve("donjon-keep-" + key + ".aot");
    }

    /** This JVM's binary and class path, plus the options in {@code DONJON_KEEP_JAVA_OPTS}. */
    public static KeepLauncher sameJvm() {
        String extra = System.getenv().getOrDefault("DONJON_KEEP_JAVA_OPTS", "").strip();
        return new KeepLauncher(
                Path.of(System.getProperty("java.home"), "bin", "java"),
                System.getProperty("java.class.path"),
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
     * Makes the start-up cache when there is none the JVM would accept (none yet, or made for other jars or another
     * JVM): a training Keep runs every step of a deployment on throw-away inputs ({@code KeepMain --warm-up}) and
     * exits normally, which is when the JVM writes the cache (a real Keep is usually killed). Best effort: without it
     * Keeps just start slower.
     */
    public void prepare() {
        if (aotCache == null || usable(aotCache)) return;
        Path training = aotCache.resolveSibling(
                aotCache.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        List<String> cmd = new ArrayList<>(jvmOptions(KeepLimits.defaults(), null));
        cmd.add(1, "-XX:AOTCacheOutput=" + training);
        cmd.add(KeepMain.class.getName());
        cmd.add("--warm-up");
        try {
            if (run(cmd) && Files.size(training) > 0) {
                Files.move(training, aotCache, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                removeOutdated(aotCache);
            }
        } catch (IOException e) {
            // no cache: slower starts, nothing else
        } finally {
            try {
                Files.deleteIfExists(training);
            } catch (IOException ignored) {
                // a stray temporary file beside the jars: harmless
            }
        }
    }

    /**
     * Removes the other Keep caches beside {@code current} that are older than the newest jar of the class path: made
     * before that jar changed, no JVM would accept them (each is 30 MB, and every rebuild of the jars left one).
     */
    private void removeOutdated(Path current) throws IOException {
        long newestJar = 0;
        for (String entry : classPath.split(java.io.File.pathSeparator)) {
            newestJar = Math.max(
                    newestJar, Files.getLastModifiedTime(Path.of(entry)).toMillis());
        }
        try (var caches = Files.newDirectoryStream(current.getParent(), "donjon-keep-*.aot")) {
            for (Path old : caches) {
                if (!old.equals(current) && Files.getLastModifiedTime(old).toMillis() < newestJar)
                    Files.deleteIfExists(old);
            }
        }
    }

    /** Whether the JVM accepts {@code cache} with the Keeps' options (it checks the jars and itself against it). */
    private boolean usable(Path cache) {
        if (!Files.isRegularFile(cache)) return false;
        List<String> cmd = new ArrayList<>(jvmOptions(KeepLimits.defaults(), cache));
        cmd.add(1, "-XX:AOTMode=on"); // refuse, rather than ignore, a cache that does not fit
        cmd.add("-version");
        return run(cmd);
    }

    private static boolean run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * @param network what the Keep's sockets may reach and where they listen (the Keep enforces it)
     * @param spare   the Keep is started ahead of demand: it loads what it will need while it waits for its nonce
     */
    Process launch(String keepId, String backend, KeepLimits limits, NetworkPolicy network, boolean spare)
            throws IOException {
        List<String> cmd = new ArrayList<>(
                jvmOptions(limits, aotCache != null && Files.isRegularFile(aotCache) ? aotCache : null));
        cmd.add(KeepMain.class.getName());
        cmd.addAll(List.of(
                "--keep-id", keepId, "--backend", backend, "--max-memory", Long.toString(limits.maxMemoryBytes())));
        limits.maxTime().ifPresent(t -> cmd.addAll(List.of("--max-time-ms", Long.toString(t.toMillis()))));
        limits.maxCpuTime().ifPresent(t -> cmd.addAll(List.of("--max-cpu-time-ms", Long.toString(t.toMillis()))));
        cmd.addAll(List.of("--connect-policy", network.connect().argument()));
        network.listenAddress().ifPresent(a -> cmd.addAll(List.of("--listen-address", a.getHostAddress())));
        if (spare) cmd.addAll(List.of("--spare", "yes"));
        // the Keep logs what this agent logs (warn by default; info also turns on the Keep's JIT-refusal watch)
        cmd.addAll(List.of("--log-level", LogLines.name(Logger.getLogger(""))));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        // the Keep gets nothing from the host's environment but where its platform lives
        pb.environment().keySet().removeIf(k -> !PLATFORM_VARIABLES.contains(k));
        pb.environment().putAll(environment);
        // fewer malloc arenas: less native memory lost to fragmentation across the JVM's threads (KeepProcessMemory)
        pb.environment().put("MALLOC_ARENA_MAX", "2");
        return pb.start();
    }

    private List<String> jvmOptions(KeepLimits limits, Path startupCache) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary.toString());
        // heap, metaspace, code cache and direct memory capped from the guest's limit; see KeepProcessMemory
        cmd.addAll(limits.processMemory().jvmOptions());
        cmd.add("-XX:+UseSerialGC"); // one small heap per Keep: the cheapest collector in memory and threads
        // start small and give memory back after a collection (an idle sim Keep: 213 -> 190 MiB RSS measured)
        cmd.add("-Xms8m");
        cmd.add("-XX:MinHeapFreeRatio=5");
        cmd.add("-XX:MaxHeapFreeRatio=20");
        // give freed native memory (the JIT's arenas, I/O buffers) back to the system once a second: an idle ROT13 Keep
        // 113 -> 104 MiB RSS, each trim 0.2-0.7 ms (bench/README.md, Deploy)
        cmd.add("-XX:TrimNativeHeapInterval=1000");
        // a guest that exhausts a capped region ends its own Keep (ExitOnOutOfMemoryError, in the options above); the
        // JVM
        // says why on its "tty", stdout by default: that is the link, where the message once broke the frame protocol
        cmd.add("-XX:+DisplayVMOutputToStderr");
        // the snp backend reaches /dev/sev-guest through the FFM API (libc ioctl) where configfs-tsm is absent;
        // without this the JVM prints a restricted-method warning into the Keep's stderr (./donjon: jar manifest)
        cmd.add("--enable-native-access=ALL-UNNAMED");
        // the start-up cache made by prepare(): classes loaded and linked ahead, and the cache's pages shared between
        // Keeps (bench/README.md, Deploy); a cache the JVM finds stale is ignored
        if (startupCache != null) cmd.add("-XX:AOTCache=" + startupCache);
        // the Keep's stdout is the link to the agent: every JVM message goes to stderr, the cache's chatter nowhere
        cmd.add("-Xlog:disable");
        cmd.add("-Xlog:all=warning,aot*=off,cds*=off:stderr");
        cmd.addAll(EngineJvmOptions.list()); // the same JIT settings as ./donjon run
        cmd.addAll(extraJvmOptions);
        cmd.add("-cp");
        cmd.add(classPath);
        return cmd;
    }
}
