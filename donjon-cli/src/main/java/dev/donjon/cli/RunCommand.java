package dev.donjon.cli;

import dev.donjon.common.Tls;
import dev.donjon.config.DonjonConfig;
import dev.donjon.config.EnarxConfig;
import dev.donjon.drawbridge.FetchedPackage;
import dev.donjon.drawbridge.PackageFetcher;
import dev.donjon.drawbridge.PackageSpec;
import dev.donjon.drawbridge.PackageTree;
import dev.donjon.drawbridge.RegistryException;
import dev.donjon.keep.Keep;
import dev.donjon.keep.SecretsPlan;
import dev.donjon.keep.Stdio;
import dev.donjon.keep.TrustAnchorFiles;
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
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code donjon run}: runs a WASI module in a local Keep, as {@code enarx run}. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Run a WebAssembly (WASI preview 1) module in a Keep.",
            "Everything after MODULE is passed to the guest as its arguments (a '--' right after MODULE is dropped).",
            "Exit code: the guest's; 134 if it trapped, 137 if stopped at a limit, 130 if interrupted, 1 if Donjon refused or failed, 2 for usage errors."
        })
final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger(RunCommand.class.getName());

    @Option(
            names = "--backend",
            paramLabel = "NAME",
            description =
                    "Keep backend: sgx, snp, tdx, sim or nil, or Enarx's sev (snp) and kvm (nil) (env ENARX_BACKEND). Default: the first usable of sgx, snp, tdx, else nil (no TEE, said on stderr).")
    String backend;

    @Option(
            names = "--steward-ca",
            paramLabel = "FILE",
            defaultValue = "${env:DONJON_STEWARD_CA}",
            description =
                    "Also trust the CA certificate(s) in FILE (PEM or DER) for the Steward's HTTPS certificate (env DONJON_STEWARD_CA). Default: the JDK's trust anchors only.")
    Path stewardCa;

    @Option(
            names = "--tls-ca",
            paramLabel = "FILE",
            description =
                    "Also trust the CA certificate(s) in FILE for the servers of connect + tls files. Default: the JDK's trust anchors only.")
    Path tlsCa;

    @Option(
            names = "--tls-client-ca",
            paramLabel = "FILE",
            description =
                    "TLS listeners require a client certificate chained to a CA in FILE (e.g. the Steward's CA, so that only enrolled Keeps connect).")
    Path tlsClientCa;

    @Option(
            names = "--wasmcfgfile",
            paramLabel = "FILE",
            defaultValue = "${env:ENARX_WASMCFGFILE}",
            description =
                    "The workload's Enarx.toml (env ENARX_WASMCFGFILE). Without it the guest gets stdin, stdout, stderr and exactly the --env variables.")
    Path configFile;

    @Option(
            names = "--env",
            paramLabel = "KEY[=VALUE]",
            description =
                    "Set a guest environment variable (repeatable; replaces a value from Enarx.toml). A KEY alone passes this shell's value of KEY, as wasmtime's --env does.")
    List<String> env = new ArrayList<>();

    @Option(
            names = "--donjon-config",
            paramLabel = "FILE",
            defaultValue = "${env:DONJON_CONFIG}",
            description =
                    "The workload's Donjon.toml (env DONJON_CONFIG): what Donjon adds to Enarx.toml, which stays Enarx 0.7's (secrets from a broker).")
    Path donjonConfig;

    @Option(
            names = "--secret",
            paramLabel = "NAME=env:VAR|NAME=file:FILE",
            description =
                    "Before the guest starts, fetch secret NAME from the secret broker with the Keep's Steward certificate; the guest gets it as "
                            + "environment variable VAR or as FILE in an in-memory directory (Donjon.toml's secrets.dir, default /run/secrets). Repeatable.")
    List<String> secrets = new ArrayList<>();

    @Option(
            names = "--secrets-broker",
            paramLabel = "URL",
            description = "The secret broker (https://...), instead of Donjon.toml's secrets.broker.")
    String secretsBroker;

    @Option(
            names = "--secrets-ca",
            paramLabel = "FILE",
            defaultValue = "${env:DONJON_SECRETS_CA}",
            description =
                    "Also trust the CA certificate(s) in FILE for the secret broker's HTTPS (env DONJON_SECRETS_CA). Default: the JDK's trust anchors only.")
    Path secretsCa;

    @Option(
            names = "--dir",
            paramLabel = "HOST[::GUEST]",
            description = "Give the guest a host directory, seen as GUEST (default: HOST as written). Repeatable.")
    List<String> dirs = new ArrayList<>();

    @Option(
            names = "--max-memory",
            paramLabel = "SIZE",
            converter = SizeConverter.class,
            defaultValue = "512MiB",
            description = "Largest guest linear memory, e.g. 64MiB, 1G (at most 2GiB). Default: ${DEFAULT-VALUE}.")
    long maxMemory;

    @Option(
            names = "--max-time",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "Stop the guest after this long, e.g. 500ms, 30s, 5m, 1h. Default: no limit.")
    Duration maxTime;

    @Option(
            names = "--max-cpu-time",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description =
                    "Stop the guest once it has used this much CPU time, e.g. 500ms, 30s, 5m. Time it spends waiting (sleep, poll, accept) does not count. Default: no limit.")
    Duration maxCpuTime;

    @Option(
            names = "--max-fds",
            paramLabel = "N",
            description =
                    "Most file descriptors the guest may hold (files, directories, connections); at most what this process can open "
                            + "(RLIMIT_NOFILE). Default: " + WasiLimits.DEFAULT_MAX_OPEN_FDS
                            + ", or less where RLIMIT_NOFILE is lower.")
    Integer maxFds;

    @Option(
            names = "--no-module-cache",
            description =
                    "Compile the module afresh and leave the compiled-module cache (~/.cache/donjon/compiled, or under $XDG_CACHE_HOME) alone. The cache is never used on sgx, snp or tdx.")
    boolean noModuleCache;

    @Parameters(
            index = "0",
            paramLabel = "MODULE",
            description = {
                "The .wasm file; or a package, as deploy takes it: a directory with main.wasm and an optional Enarx.toml (used unless"
                        + " --wasmcfgfile is given), [host/]user/repo:tag or a tag URL (a Drawbridge registry), oci://host/name:tag, or file:///path.",
                "A package from a registry is fetched first, every file's digest and size checked."
            })
    String module;

    @Mixin
    RegistryOptions registry;

    @Parameters(
            index = "1..*",
            paramLabel = "ARGS",
            description = "Guest arguments (after argv[0], which is main.wasm).")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        WasiLimits limits = limits(); // usage errors first, before anything is said about the backend
        Runnable runnable = runnable(module);
        PlatformSelector.Selection selection = selectBackend(backend);
        Optional<EnarxConfig> config =
                configFile != null ? Optional.of(EnarxConfig.read(configFile)) : runnable.config();
        // `run MODULE -- ARGS`, as wasmtime and the benchmarks write it: the separator is not the guest's
        List<String> guestArgs = !args.isEmpty() && args.getFirst().equals("--") ? args.subList(1, args.size()) : args;
        Workload workload = new Workload(
                runnable.wasm(),
                config,
                guestArgs,
                guestEnvironment(env, System.getenv()),
                preopens(dirs),
                secretsPlan());
        // Compiled code from the user's disk is as trustworthy as the jar only outside a TEE: inside one, the host owns
        // the disk, and code it could have swapped must never run in the Keep.
        boolean cacheable = !noModuleCache && !selection.platform().backend().hardware();
        CompiledModuleCache compiled = cacheable ? CompiledModuleCache.userDefault() : CompiledModuleCache.disabled();
        try (Keep keep = Keep.open(
                workload,
                Stdio.system(),
                limits,
                KeepIdentities.forRun(selection, stewardCa, tlsCa, tlsClientCa),
                compiled)) {
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
        Optional<String> named = Optional.ofNullable(name)
                .filter(n -> !n.isBlank())
                .or(() -> Optional.ofNullable(env.get(PlatformSelector.ENVIRONMENT_VARIABLE))
                        .filter(n -> !n.isBlank()));
        try {
            PlatformSelector.Selection s = Platforms.selector(PlatformSettings.fromEnvironment(env), Clock.systemUTC())
                    .select(Optional.ofNullable(name), env, PlatformSelector.Requirement.LOCAL_RUN);
            named.filter(n -> Backend.fromWireName(n).isEmpty())
                    .ifPresent(n -> System.err.println("donjon: backend '" + n.strip()
                            + "' is Enarx's name for Donjon's " + s.platform().backend()
                            + (s.platform().backend() == Backend.NIL
                                    ? " (a Keep without a TEE: nothing is protected)"
                                    : "")));
            if (s.platform().backend() == Backend.SIM) {
                System.err.println(
                        "donjon: WARNING: backend sim is SIMULATED: the workload runs without any hardware protection");
            }
            if (s.platform().backend() == Backend.NIL && named.isEmpty()) {
                // chosen for the user, who may believe the workload is protected: once, on stderr (stdout is the
                // guest's)
                System.err.println(
                        "donjon: no TEE: nothing is protected (no usable sgx, snp or tdx here, so the guest runs on the nil backend;"
                                + " 'donjon platform info' says why; --backend nil runs without this notice)");
            }
            LOG.info(() -> "backend " + s.platform().backend() + (s.insecure() ? " (no hardware protection)" : "")
                    + ": " + s.why());
            return s;
        } catch (PlatformException e) {
            throw new ExitCodeException(OneLineErrors.FAILURE, e.getMessage());
        }
    }

    /** Donjon.toml's secrets plus the command line's; none: the Keep asks no broker. */
    private Optional<SecretsPlan> secretsPlan() {
        DonjonConfig c = donjonConfig == null ? DonjonConfig.none() : DonjonConfig.read(donjonConfig);
        List<DonjonConfig.SecretRequest> more =
                secrets.stream().map(DonjonConfig::request).toList();
        c = c.with(Optional.ofNullable(secretsBroker).map(DonjonConfig::broker), more);
        if (c.secrets().isEmpty()) {
            if (secretsBroker != null || secretsCa != null)
                throw new ExitCodeException(
                        OneLineErrors.USAGE,
                        "--secrets-broker and --secrets-ca need secrets (--secret or Donjon.toml)");
            return Optional.empty();
        }
        Optional<List<java.security.cert.X509Certificate>> anchors = secretsCa == null
                ? Optional.empty()
                : Optional.of(Tls.jdkAnchorsPlus(TrustAnchorFiles.read(secretsCa, "--secrets-ca")));
        return SecretsPlan.of(c, anchors);
    }

    private WasiLimits limits() {
        try {
            WasiLimits limits =
                    WasiLimits.defaults().withMaxMemoryBytes(maxMemory).withMaxOpenFds(fds());
            if (maxTime != null) limits = limits.withMaxWallTime(maxTime);
            return maxCpuTime == null ? limits : limits.withMaxCpuTime(maxCpuTime);
        } catch (IllegalArgumentException e) {
            throw new ExitCodeException(OneLineErrors.USAGE, e.getMessage());
        }
    }

    /** What MODULE names, read or fetched: the module and the package's own Enarx.toml, if it has one. */
    record Runnable(byte[] wasm, Optional<EnarxConfig> config) {}

    private Runnable runnable(String arg) throws IOException {
        Path path = Path.of(arg);
        if (Files.isDirectory(path)) {
            Path wasm = path.resolve(PackageTree.WASM), toml = path.resolve(PackageTree.CONFIG);
            if (!Files.exists(wasm)) {
                throw new ExitCodeException(
                        OneLineErrors.FAILURE,
                        arg + " is a directory without " + PackageTree.WASM
                                + " (a package directory holds main.wasm and an optional Enarx.toml)");
            }
            return new Runnable(
                    readModule(wasm), Files.exists(toml) ? Optional.of(EnarxConfig.read(toml)) : Optional.empty());
        }
        boolean fetched = arg.startsWith("file:")
                || arg.startsWith("oci://")
                || arg.startsWith("https://")
                || arg.startsWith("http://")
                || (!Files.exists(path) && PackageSpec.SLUG.matcher(arg).matches());
        if (!fetched) return new Runnable(readModule(path), Optional.empty());
        FetchedPackage pkg;
        try {
            PackageSpec spec = PackageSpec.parse(arg, registry.defaultRegistry());
            if (spec instanceof PackageSpec.Registry r
                    && PackageSpec.SLUG.matcher(arg).matches()) registry.requireHttpsWhereNamed(r.base(), arg);
            pkg = new PackageFetcher(registry.tls(), registry.token(), List.of(), registry.defaultRegistry())
                    .fetch(spec);
        } catch (RegistryException | IllegalArgumentException e) {
            throw new ExitCodeException(
                    OneLineErrors.FAILURE, "cannot fetch " + arg + ": " + OneLineErrors.describe(e));
        }
        LOG.info(() -> "fetched " + pkg.source() + " ("
                + String.join(", ", pkg.files().keySet()) + (pkg.signed() ? ", signed tag" : "") + ")");
        Optional<EnarxConfig> config =
                pkg.config().map(b -> EnarxConfig.parse(new String(b, java.nio.charset.StandardCharsets.UTF_8)));
        return new Runnable(pkg.wasm(), config);
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
            LOG.info(() -> "the guest may hold " + fit + " fds: RLIMIT_NOFILE is "
                    + capacity.get().processLimit());
            return (int) fit;
        }
        return fallback;
    }

    static byte[] readModule(Path module) {
        try {
            if (Files.isDirectory(module))
                throw new ExitCodeException(OneLineErrors.FAILURE, module + ": is a directory, not a .wasm file");
            return Files.readAllBytes(module);
        } catch (NoSuchFileException e) {
            throw new ExitCodeException(OneLineErrors.FAILURE, module + ": no such file");
        } catch (IOException e) {
            throw new ExitCodeException(OneLineErrors.FAILURE, module + ": cannot read: " + e.getMessage());
        }
    }

    /** {@code --env} entries as KEY=VALUE: a bare KEY takes the host's value (and must have one), nothing else leaks. */
    static List<String> guestEnvironment(List<String> entries, Map<String, String> host) {
        List<String> out = new ArrayList<>();
        for (String e : entries) {
            if (e.indexOf('=') >= 0) {
                out.add(e);
            } else if (host.containsKey(e)) {
                out.add(e + "=" + host.get(e));
            } else {
                throw new ExitCodeException(
                        OneLineErrors.USAGE,
                        "--env " + e + ": " + e + " is not set in this environment (give " + e + "=VALUE)");
            }
        }
        return out;
    }

    static List<Preopen> preopens(List<String> dirs) {
        List<Preopen> out = new ArrayList<>();
        for (String d : dirs) {
            int sep = d.indexOf("::");
            String host = sep < 0 ? d : d.substring(0, sep);
            String guest = sep < 0 ? d : d.substring(sep + 2);
            if (host.isEmpty() || guest.isEmpty())
                throw new ExitCodeException(
                        OneLineErrors.USAGE, "--dir must be HOST or HOST::GUEST, not \"" + d + "\"");
            out.add(new Preopen(Path.of(host), guest));
        }
        return out;
    }
}
