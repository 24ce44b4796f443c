package dev.donjon.host.keep;

import dev.donjon.common.Tls;
import dev.donjon.config.ConfigException;
import dev.donjon.config.DonjonConfig;
import dev.donjon.config.EnarxConfig;
import dev.donjon.host.protocol.WorkloadPackage;
import dev.donjon.keep.AttestedIdentity;
import dev.donjon.keep.Keep;
import dev.donjon.keep.KeepException;
import dev.donjon.keep.NetworkPolicy;
import dev.donjon.keep.SecretsPlan;
import dev.donjon.keep.Stdio;
import dev.donjon.keep.TrustAnchorFiles;
import dev.donjon.keep.Workload;
import dev.donjon.platform.Platform;
import dev.donjon.wasi.CompiledModuleCache;
import dev.donjon.wasi.WasiException;
import dev.donjon.wasi.WasiLimits;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs a deployed package on Donjon's Keep runtime (donjon-keep), exactly as {@code donjon run} would with the
 * package's Enarx.toml. Secrets become environment variables after the config's own (see {@link WorkloadPackage}):
 * they stay in the Keep's memory and never touch the host's disk. The guest's stdin is what the client sends on the
 * input channel; its arguments are the package's, after the Enarx.toml's.
 *
 * <p>When the Enarx.toml names a {@code steward}, the Keep enrolls with it using the platform it attested the
 * deployment with (a fresh key, new evidence binding it, the CSR naming the module's digest); the Steward's HTTPS
 * certificate must chain to the JDK's anchors or to the package's {@code steward-ca.pem}.
 */
public final class KeepRuntimeRunner implements WorkloadRunner {

    private final Optional<Platform> platform;
    private final NetworkPolicy network;
    private final Optional<String> slug;

    /**
     * A runner without a TEE platform (a package that names a Steward is refused: there is no evidence to enroll with),
     * whose guests may connect anywhere but this host.
     */
    public KeepRuntimeRunner() {
        this(Optional.empty(), NetworkPolicy.notThisHost());
    }

    /** @param network the host's rules for the guest's sockets (the agent passes them on the Keep's command line) */
    public KeepRuntimeRunner(Optional<Platform> platform, NetworkPolicy network) {
        this(platform, network, Optional.empty());
    }

    private KeepRuntimeRunner(Optional<Platform> platform, NetworkPolicy network, Optional<String> slug) {
        this.platform = platform;
        this.network = network;
        this.slug = slug;
    }

    /** The guest's certificate names the registry slug the package came from, beside the module's digest. */
    @Override
    public WorkloadRunner forReference(String spec) {
        return new KeepRuntimeRunner(platform, network, Optional.of(spec));
    }

    /** The runner for a Keep whose evidence comes from {@code source}: the same platform enrolls with a Steward. */
    public static KeepRuntimeRunner on(EvidenceSource source, NetworkPolicy network) {
        return new KeepRuntimeRunner(
                source instanceof EvidenceSource.PlatformEvidence p ? Optional.of(p.platform()) : Optional.empty(),
                network);
    }

    @Override
    public int run(WorkloadPackage pkg, InputStream stdin, OutputStream stdout, OutputStream stderr, WasiLimits limits)
            throws WorkloadFailedException, InterruptedException {
        try {
            Optional<EnarxConfig> config =
                    pkg.enarxToml().map(t -> EnarxConfig.parse(new String(t, StandardCharsets.UTF_8)));
            List<String> env = new ArrayList<>();
            pkg.secrets()
                    .forEach((name, value) -> env.add(
                            name + "=" + WorkloadPackage.secretText(value).orElseThrow()));
            Workload workload = new Workload(pkg.wasm(), config, pkg.args(), env, List.of(), secrets(pkg));
            // never the compiled-module cache of `donjon run`: it would put the workload, compiled, on the host's disk
            try (Keep keep = Keep.open(
                    workload,
                    new Stdio(stdin, stdout, stderr),
                    limits,
                    identity(pkg),
                    CompiledModuleCache.disabled(),
                    network)) {
                return keep.run();
            }
        } catch (DonjonTomlException e) {
            throw new WorkloadFailedException("Donjon.toml: " + e.getMessage());
        } catch (ConfigException e) {
            throw new WorkloadFailedException("Enarx.toml: " + e.getMessage());
        } catch (KeepException | WasiException e) {
            throw new WorkloadFailedException(e.getMessage());
        }
    }

    /** A Donjon.toml that does not parse: named apart from Enarx.toml's errors. */
    private static final class DonjonTomlException extends RuntimeException {
        DonjonTomlException(ConfigException e) {
            super(e.getMessage(), e);
        }
    }

    /** Donjon.toml's secrets, fetched by the Keep from the broker with its Steward certificate (secrets-ca.pem: the broker's CA). */
    private static Optional<SecretsPlan> secrets(WorkloadPackage pkg) {
        if (pkg.donjonToml().isEmpty()) return Optional.empty();
        DonjonConfig c;
        try {
            c = DonjonConfig.parse(new String(pkg.donjonToml().get(), StandardCharsets.UTF_8));
        } catch (ConfigException e) {
            throw new DonjonTomlException(e);
        }
        return SecretsPlan.of(
                c, pkg.secretsCa().map(pem -> Tls.jdkAnchorsPlus(TrustAnchorFiles.parse(pem, "secrets-ca.pem"))));
    }

    /** Only asked for evidence when the Enarx.toml names a Steward; otherwise a self-signed certificate, as Enarx. */
    private AttestedIdentity identity(WorkloadPackage pkg) {
        Optional<List<X509Certificate>> stewardAnchors =
                pkg.stewardCa().map(pem -> Tls.jdkAnchorsPlus(TrustAnchorFiles.parse(pem, "steward-ca.pem")));
        return AttestedIdentity.on(
                        platform, new AttestedIdentity.Trust(stewardAnchors, Optional.empty(), Optional.empty()))
                .withSlug(slug);
    }
}
