package dev.donjon.cli;

import dev.donjon.config.EnarxConfig;
import dev.donjon.keep.Keep;
import dev.donjon.keep.Stdio;
import dev.donjon.keep.Workload;
import dev.donjon.platform.Backend;
import dev.donjon.platform.PlatformException;
import dev.donjon.platform.PlatformSelector;
import dev.donjon.platform.PlatformSettings;
import dev.donjon.platform.Platforms;
import dev.donjon.wasi.CompiledModuleCache;
import dev.donjon.wasi.Preopen;
import dev.donjon.wasi.WasiLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code donjon run}: runs a WASI module in a local Keep, as {@code enarx run}. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a WebAssembly (WASI preview 1) module in a Keep. The exit code is the guest's.",
            "Everything after MODULE is passed to the guest as its arguments (a '--' right after MODULE is dropped)."})
final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger(RunCommand.class.getName());

    @Option(names = "--backend", paramLabel = "NAME",
            description = "Keep backend: sgx, snp, tdx, sim or nil (env ENARX_BACKEND). Default: the first usable of sgx, snp, tdx, else nil (no TEE).")
    String backend;

    @Option(names = "--steward-ca", paramLabel = "FILE", defaultValue = "${env:DONJON_STEWARD_CA}",
            description = "Also trust the CA certificate(s) in FILE (PEM or DER) for the Steward's HTTPS certificate (env DONJON_STEWARD_CA). Default: the JDK's trust anchors only.")
    Path stewardCa;

    @Option(names = "--tls-ca", paramLabel = "FILE",
            description = "Also trust the CA certificate(s) in FILE for the servers of connect + tls files. Default: the JDK's trust anchors only.")
    Path tlsCa;

    @Option(names = "--tls-client-ca", paramLabel = "FILE",
            description = "TLS listeners require a client certificate chained to a CA in FILE (e.g. the Steward's CA, so that only enrolled Keeps connect).")
    Path tlsClientCa;

    @Option(names = "--wasmcfgfile", paramLabel = "FILE", defaultValue = "${env:ENARX_WASMCFGFILE}",
            description = "The workload's Enarx.toml (env ENARX_WASMCFGFILE). Without it the guest gets stdin, stdout, stderr and exactly the --env variables.")
    Path configFile;

    @Option(names = "--env", paramLabel = "KEY=VALUE", description = "Set a guest environment variable (repeatable; replaces a value from Enarx.toml).")
    List<String> env = new ArrayList<>();

    @Option(names = "--dir", paramLabel = "HOST[::GUEST]", description = "Give the guest a host directory, seen as GUEST (default: HOST as written). Repeatable.")
    List<String> dirs = new ArrayList<>();

    @Option(names = "--max-memory", paramLabel = "SIZE", converter = SizeConverter.class, defaultValue = "512MiB",
            description = "Largest guest linear memory, e.g. 64MiB, 1G (at most 2GiB). Default: ${DEFAULT-VALUE}.")
    long maxMemory;

    @Option(names = "--max-time", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop the guest after this long, e.g. 500ms, 30s, 5m, 1h. Default: no limit.")
    Duration maxTime;

    @Option(names = "--max-cpu-time", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop the guest once it has used this much CPU time, e.g. 500ms, 30s, 5m. Time it spends waiting (sleep, poll, accept) does not count. Default: no limit.")
    Duration maxCpuTime;

    @Option(names = "--max-fds", paramLabel = "N",
            description = "Most file descriptors the guest may hold (files, directories, connections); at most what this process can open "
                    + "(RLIMIT_NOFILE). Default: " + WasiLimits.DEFAULT_MAX_OPEN_FDS + ", or less where RLIMIT_NOFILE is lower.")
    Integer maxFds;

    @Option(names = "--no-module-cache",
            description = "Compile the module afresh and leave the compiled-module cache (~/.cache/donjon/compiled, or under $XDG_CACHE_HOME) alone. The cache is never used on sgx, snp or tdx.")
    boolean noModuleCache;

    @Parameters(index = "0", paramLabel = "MODULE", description = "The .wasm file.")
    Path module;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Guest arguments (after argv[0], which is main.wasm).")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PlatformSelector.Selection selection = selectBackend(backend);
        Optional<EnarxConfig> config = configFile == null ? Optional.empty() : Optional.of(EnarxConfig.read(configFile));
        WasiLimits limits = limits();
        // `run MODULE -- ARGS`, as wasmtime and the benchmarks write it: the separator is not the guest's
        List<String> guestArgs = !args.isEmpty() && args.getFirst().equals("--") ? args.subList(1, args.size()) : args;
        Workload workload = new Workload(readModule(module), config, guestArgs, env, preopens(dirs));
        // Compiled code from the user's disk is as trustworthy as the jar only outside a TEE: inside one, the host owns
        // the disk, and code it could have swapped must never run in the Keep.
        boolean cacheable = !noModuleCache && !selection.platform().backend().hardware();
        CompiledModuleCache compiled = cacheable ? CompiledModuleCache.userDefault() : CompiledModuleCache.disabled();
        try (Keep keep = Keep.open(workload, Stdio.system(), limits, KeepIdentities.forRun(selection, stewardCa, tlsCa, tlsClientCa), compiled)) {
            for (Keep.Listening l : keep.listening()) {
                LOG.info(() -> "listening: " + l);
            }
            return keep.run();
        }
    }

    /**
     * Picks the backend as Enarx does (see {@link PlatformSelector}). The guest runs in this process either way: on
     * snp, tdx or sgx that process is inside the TEE. Its identity: enrolled with the Steward when the workload names one (evidence from this backend), else self-signed.
     */
    static PlatformSelector.Selection selectBackend(String name) {
        Map<String, String> env = System.getenv();
        try {
            PlatformSelector.Selection s = Platforms.selector(PlatformSettings.fromEnvironment(env), Clock.systemUTC())
                    .select(Optional.ofNullable(name), env, PlatformSelector.Requirement.LOCAL_RUN);
            if (s.platform().backend() == Backend.SIM) {
                System.err.println("donjon: WARNING: backend sim is SIMULATED: the workload runs without any hardware protection");
            }
            LOG.info(() -> "backend " + s.platform().backend() + (s.insecure() ? " (no hardware protection)" : "") + ": " + s.why());
            return s;
        } catch (PlatformException e) {
            throw new ExitCodeException(OneLineErrors.FAILURE, e.getMessage());
        }
    }

    private WasiLimits limits() {
        try {
            WasiLimits limits = WasiLimits.defaults().withMaxMemoryBytes(maxMemory).withMaxOpenFds(fds());
            if (maxTime != null) limits = limits.withMaxWallTime(maxTime);
            return maxCpuTime == null ? limits : limits.withMaxCpuTime(maxCpuTime);
        } catch (IllegalArgumentException e) {
            throw new ExitCodeException(OneLineErrors.USAGE, e.getMessage());
        }
    }

    /** The guest's fd limit: as asked if this process can hold that many, the default lowered to fit otherwise. */
    private int fds() {
        java.util.Optional<FdCapacity> capacity = FdCapacity.ofThisProcess();
        if (maxFds != null) {
            if (capacity.isPresent() && capacity.get().excess(maxFds).isPresent()) {
                throw new ExitCodeException(OneLineErrors.USAGE, capacity.get().explain(maxFds));
            }
            return maxFds;
        }
        int fallback = WasiLimits.DEFAULT_MAX_OPEN_FDS;
        if (capacity.isPresent() && capacity.get().forGuest() < fallback) {
            long fit = capacity.get().forGuest();
            LOG.info(() -> "the guest may hold " + fit + " fds: RLIMIT_NOFILE is " + capacity.get().processLimit());
            return (int) fit;
        }
        return fallback;
    }

    static byte[] readModule(Path module) {
        try {
            if (Files.isDirectory(module)) throw new ExitCodeException(OneLineErrors.FAILURE, module + ": is a directory, not a .wasm file");
            return Files.readAllBytes(module);
        } catch (NoSuchFileException e) {
            throw new ExitCodeException(OneLineErrors.FAILURE, module + ": no such file");
        } catch (IOException e) {
            throw new ExitCodeException(OneLineErrors.FAILURE, module + ": cannot read: " + e.getMessage());
        }
    }

    static List<Preopen> preopens(List<String> dirs) {
        List<Preopen> out = new ArrayList<>();
        for (String d : dirs) {
            int sep = d.indexOf("::");
            String host = sep < 0 ? d : d.substring(0, sep);
            String guest = sep < 0 ? d : d.substring(sep + 2);
            if (host.isEmpty() || guest.isEmpty()) throw new ExitCodeException(OneLineErrors.USAGE, "--dir must be HOST or HOST::GUEST, not \"" + d + "\"");
            out.add(new Preopen(Path.of(host), guest));
        }
        return out;
    }
}
