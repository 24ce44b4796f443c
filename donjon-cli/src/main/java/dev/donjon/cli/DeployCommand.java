package dev.donjon.cli;

import dev.donjon.common.Tls;
import dev.donjon.host.client.AgentCredentials;
import dev.donjon.host.client.Appraisal;
import dev.donjon.host.client.DeployException;
import dev.donjon.host.client.Deployer;
import dev.donjon.host.client.PackageLoader;
import dev.donjon.host.client.TrustOptions;
import dev.donjon.host.protocol.Delivery;
import dev.donjon.host.protocol.PackageReference;
import dev.donjon.host.protocol.ProtocolException;
import dev.donjon.platform.PlatformException;
import dev.donjon.platform.PlatformSettings;
import dev.donjon.platform.sim.SimAuthority;
import dev.donjon.steward.StewardPolicy;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code donjon deploy}: attest a Keep on a remote host, then send it the workload sealed to that Keep alone. */
@Command(
        name = "deploy",
        sortOptions = false,
        description = {
            "Deploy a workload to an attested Keep on a host running 'donjon host serve'.",
            "The Keep's evidence is verified before anything is sent; the package is sealed (HPKE) to that one Keep; this command's stdin"
                    + " goes to the guest and its output comes back, both encrypted.",
            "Everything after PACKAGE is passed to the guest as its arguments (a '--' right after PACKAGE is dropped), as with run.",
            "Exit code: the guest's; 1 if the deployment was refused or failed, 2 for usage errors."
        })
final class DeployCommand implements Callable<Integer> {

    @Option(
            names = "--host",
            paramLabel = "URL",
            required = true,
            description = "The host agent, e.g. https://host:8700.")
    URI host;

    @Option(
            names = "--agent-ca",
            paramLabel = "PEM",
            description = "CA certificate(s) to trust for the agent's TLS, besides the JDK's.")
    Path agentCa;

    @Option(
            names = "--client-cert",
            paramLabel = "PEM",
            description = "Client certificate chain for an agent that asks for one (mutual TLS).")
    Path clientCert;

    @Option(names = "--client-key", paramLabel = "PEM", description = "Private key of --client-cert.")
    Path clientKey;

    @Option(
            names = "--agent-token-file",
            paramLabel = "FILE",
            description = "Bearer token for the agent (its --tokens file or OIDC issuer).")
    Path agentTokenFile;

    static final class Trust {
        @Option(
                names = "--policy",
                paramLabel = "FILE",
                description =
                        "Attestation policy: the Steward's policy file (Enarx steward.toml keys, [tdx], and [sim] with its chain, trusted with --allow-insecure-backend).")
        Path policy;

        @Option(
                names = "--expect-measurement",
                paramLabel = "HEX",
                description = "The Keep runtime's launch measurement the owner trusts.")
        String measurement;
    }

    @ArgGroup(exclusive = true)
    Trust trust = new Trust();

    @Option(
            names = "--allow-insecure-backend",
            description =
                    "Accept a nil (no TEE) or sim (simulated TEE) Keep. The host can then read the workload; said loudly.")
    boolean allowInsecure;

    @Option(
            names = "--amd-chain",
            paramLabel = "FILE",
            description = "Pinned AMD ASK/ARK chain (PEM) that SEV-SNP evidence must chain to.")
    Path amdChain;

    @Option(
            names = "--sim-chain",
            paramLabel = "FILE",
            description =
                    "The sim platform's ASK+ARK (PEM) to trust as a SIMULATED root, with --allow-insecure-backend only. "
                            + "Default: this machine's sim chain (DONJON_SIM_DIR, else ~/.local/share/donjon/sim), if there is one.")
    Path simChain;

    @Option(
            names = "--backend",
            paramLabel = "NAME",
            description = "Ask for a Keep on this backend (the agent refuses if it runs another).")
    String backend;

    @Option(
            names = "--max-memory",
            paramLabel = "SIZE",
            converter = SizeConverter.class,
            defaultValue = "512MiB",
            description = "Largest guest linear memory, as for run. Default: ${DEFAULT-VALUE}.")
    long maxMemory;

    @Option(
            names = "--max-time",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "Stop the guest after this long (e.g. 500ms, 30s), as for run. Default: no limit.")
    Duration maxTime;

    @Option(
            names = "--max-cpu-time",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description =
                    "Stop the guest once it has used this much CPU time (waiting does not count), as for run. Default: no limit.")
    Duration maxCpuTime;

    @Mixin
    RegistryDeployOptions fromRegistry;

    @Mixin
    CollateralOptions collateral;

    @Parameters(
            index = "0",
            paramLabel = "PACKAGE",
            description = {
                "A .wasm file, or a directory with main.wasm, optional Enarx.toml and optional secrets/ (files -> guest environment variables);",
                "or [host/]user/repo:tag, https://host/api/v0.1.0/user/repo/_tag/tag, file:///path or oci://host/name:tag, which the Keep fetches."
            })
    String packageArg;

    @Parameters(
            index = "1..*",
            paramLabel = "ARGS",
            description = "Guest arguments (after argv[0], which is main.wasm), sealed with the package.")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (!host.getScheme().equals("http") && !host.getScheme().equals("https")) {
            throw new ExitCodeException(OneLineErrors.USAGE, "--host must be an http:// or https:// URL");
        }
        // the Steward's policy file as it is: its [sim] chain is the simulated root to trust (one file for both)
        Optional<StewardPolicy> policy =
                trust.policy == null ? Optional.empty() : Optional.of(StewardPolicy.read(trust.policy));
        TrustOptions options = new TrustOptions(
                        policy.map(StewardPolicy::policy),
                        Optional.ofNullable(trust.measurement).map(DeployCommand::measurement),
                        allowInsecure,
                        amdChain == null ? Optional.empty() : Optional.of(Files.readAllBytes(amdChain)),
                        simChain(policy.flatMap(StewardPolicy::simChain)))
                .withCollateral(collateral.service(Clock.systemUTC()));
        // `deploy PACKAGE -- ARGS`, as for run: the separator is not the guest's
        List<String> guestArgs = !args.isEmpty() && args.getFirst().equals("--") ? args.subList(1, args.size()) : args;
        Delivery pkg;
        try {
            Optional<PackageReference> ref = fromRegistry.reference(packageArg);
            pkg = ref.isPresent()
                    ? ref.get().withArgs(guestArgs)
                    : PackageLoader.load(Path.of(packageArg)).withArgs(guestArgs);
            pkg.validate();
        } catch (ProtocolException e) {
            throw new ExitCodeException(OneLineErrors.FAILURE, packageArg + ": " + e.getMessage());
        }
        Deployer deployer = new Deployer(
                new Deployer.Options(
                        host,
                        Optional.ofNullable(backend),
                        Math.max(1, maxMemory >> 20),
                        Optional.ofNullable(maxTime),
                        Optional.ofNullable(maxCpuTime),
                        credentials()),
                options,
                new Notices());
        Thread stopOnInterrupt = new Thread(deployer::stop, "donjon-deploy-stop");
        Runtime.getRuntime().addShutdownHook(stopOnInterrupt);
        OutputStream stdout = System.out;
        OutputStream stderr = System.err;
        try {
            return deployer.deploy(pkg, System.in, stdout, stderr);
        } catch (DeployException e) {
            throw new ExitCodeException(OneLineErrors.FAILURE, e.getMessage());
        } catch (IOException e) {
            throw new ExitCodeException(OneLineErrors.FAILURE, "deployment failed: " + e.getMessage());
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stopOnInterrupt);
            } catch (IllegalStateException ignored) {
                // shutting down: the hook stops the Keep
            }
        }
    }

    /** The agent's CA, the client certificate and the token, each read now with a one-line error naming its option. */
    private AgentCredentials credentials() {
        if ((clientCert == null) != (clientKey == null))
            throw new ExitCodeException(OneLineErrors.USAGE, "--client-cert and --client-key go together");
        Optional<String> token = Optional.empty();
        if (agentTokenFile != null) {
            try {
                String t = Files.readString(agentTokenFile).strip();
                if (t.isEmpty() || t.contains("\n"))
                    throw new ExitCodeException(
                            OneLineErrors.USAGE,
                            "--agent-token-file " + agentTokenFile + ": expected one token on one line");
                token = Optional.of(t);
            } catch (IOException e) {
                throw new ExitCodeException(
                        OneLineErrors.USAGE, "--agent-token-file " + agentTokenFile + ": " + OneLineErrors.describe(e));
            }
        }
        if (agentCa == null && clientCert == null) return new AgentCredentials(Optional.empty(), token);
        if (host.getScheme().equals("http"))
            throw new ExitCodeException(OneLineErrors.USAGE, "--agent-ca and --client-cert need an https:// --host");
        var anchors = agentCa == null
                ? Tls.jdkAnchors()
                : Tls.jdkAnchorsPlus(EdgeOptions.certificates(agentCa, "--agent-ca"));
        var chain = clientCert == null ? null : EdgeOptions.certificates(clientCert, "--client-cert");
        var key = clientKey == null ? null : EdgeOptions.privateKey(clientKey, "--client-key");
        // without a client certificate the client shows none (a bearer token authenticates it)
        SSLContext tls =
                chain == null ? Tls.trusting(Tls.anchors(anchors)) : Tls.context(key, chain, Tls.anchors(anchors));
        return new AgentCredentials(Optional.of(tls), token);
    }

    /** --sim-chain, else the policy's [sim] chain, else this machine's sim chain; none without --allow-insecure-backend. */
    private Optional<byte[]> simChain(Optional<byte[]> fromPolicy) throws IOException {
        if (simChain != null) {
            if (!allowInsecure)
                throw new ExitCodeException(OneLineErrors.USAGE, "--sim-chain needs --allow-insecure-backend");
            return Optional.of(Files.readAllBytes(simChain));
        }
        if (!allowInsecure) return Optional.empty();
        if (fromPolicy.isPresent()) return fromPolicy;
        Path dir = PlatformSettings.fromEnvironment(System.getenv()).sim();
        if (!SimAuthority.exists(dir)) return Optional.empty();
        try {
            return Optional.of(SimAuthority.load(dir).chainPem());
        } catch (PlatformException e) {
            throw new ExitCodeException(OneLineErrors.FAILURE, e.getMessage());
        }
    }

    private static String measurement(String hex) {
        String h = hex.strip().toLowerCase(Locale.ROOT);
        try {
            HexFormat.of().parseHex(h);
        } catch (IllegalArgumentException e) {
            throw new ExitCodeException(OneLineErrors.USAGE, "--expect-measurement is not hex");
        }
        if (h.length() != 96)
            throw new ExitCodeException(OneLineErrors.USAGE, "--expect-measurement must be 48 bytes (96 hex digits)");
        return h;
    }

    /** Progress on stderr; insecure backends get a banner nobody can miss. */
    private static final class Notices implements Deployer.Progress {
        @Override
        public void keepCreated(String keepId, String backend) {
            System.err.println("donjon: Keep " + keepId + " created (backend " + backend + "), checking its evidence");
        }

        @Override
        public void trusted(Appraisal.Trusted appraisal) {
            for (String w : appraisal.warnings()) {
                String bar = "!".repeat(78);
                System.err.println(bar);
                System.err.println("!! WARNING: " + w);
                System.err.println(bar);
            }
            System.err.println("donjon: " + appraisal.summary());
        }

        @Override
        public void sent(String keepId) {
            System.err.println("donjon: workload sealed to Keep " + keepId + " and delivered; its output follows");
        }

        @Override
        public void inputLost(String reason) {
            System.err.println(
                    "donjon: WARNING: the guest's stdin could not be delivered (it will not see its end): " + reason);
        }
    }
}
