package dev.donjon.cli;

import dev.donjon.attestation.crypto.SignatureProviders;
import dev.donjon.collateral.CollateralRefresher;
import dev.donjon.common.Pem;
import dev.donjon.common.Tls;
import dev.donjon.steward.CertificateAuthority;
import dev.donjon.steward.Steward;
import dev.donjon.steward.StewardPolicy;
import dev.donjon.steward.StewardServer;
import dev.donjon.steward.TrustAnchors;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "steward",
        mixinStandardHelpOptions = true,
        description = "The Steward: certifies Keeps whose attestation passes a policy.",
        subcommands = {StewardCommand.Init.class, StewardCommand.Serve.class})
final class StewardCommand {

    /**
     * {@code donjon steward init DIR}: what {@code steward serve} needs besides a policy, made once: the CA that certifies
     * Keeps and a TLS certificate for HTTPS on this machine (Keeps refuse a Steward over plain HTTP); with {@code --sim}
     * also a policy for this machine's simulated Keeps. Existing files are never overwritten.
     */
    @Command(
            name = "init",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "Make a Steward's CA (ca.pem, ca.key) and a TLS certificate for localhost (tls.pem, tls.key) in DIR.",
                "With --sim, also policy.toml and sim-chain.pem, which accept this machine's SIMULATED Keeps running this build of Donjon.",
                "Prints the 'donjon steward serve' command that uses them. Never overwrites a file."
            })
    static final class Init implements Callable<Integer> {
        @picocli.CommandLine.Parameters(
                paramLabel = "DIR",
                description = "Directory for the files (made 0700 if missing).")
        Path dir;

        @Option(
                names = "--sim",
                description =
                        "Also write policy.toml and sim-chain.pem for the sim backend (demos and tests; proves nothing).")
        boolean sim;

        @Option(
                names = "--ca-name",
                paramLabel = "CN",
                defaultValue = "Donjon Steward CA",
                description = "Common name of the CA. Default: ${DEFAULT-VALUE}.")
        String caName;

        @Option(
                names = "--ca-validity",
                paramLabel = "DURATION",
                defaultValue = "1825d",
                description =
                        "Lifetime of the CA certificate: 1825d, 12h or ISO-8601. Default: ${DEFAULT-VALUE} (5 years).")
        String caValidity;

        @Override
        public Integer call() throws Exception {
            Duration validity = Serve.duration(caValidity, "--ca-validity");
            StewardFiles files = new StewardFiles(dir);
            files.refuseExisting(sim);
            Instant now = Instant.now();
            CertificateAuthority ca = CertificateAuthority.create(caName, now, validity);
            files.writeCa(ca);
            files.writeTls(now);
            if (sim) files.writeSimPolicy();
            System.out.println("steward: wrote " + files.written());
            if (sim) {
                System.out.println("steward: WARNING: " + files.policy()
                        + " accepts SIMULATED Keeps (no hardware TEE) running this build of Donjon");
            }
            System.out.println("steward: serve with: donjon steward serve --policy "
                    + (sim ? files.policy() : "POLICY.toml") + " --ca-cert " + files.caCert() + " --ca-key "
                    + files.caKey() + " --tls-cert " + files.tlsCert() + " --tls-key " + files.tlsKey());
            System.out.println("steward: Keeps and clients trust its HTTPS with " + files.tlsCert()
                    + " (e.g. donjon run --steward-ca " + files.tlsCert()
                    + "); a registry that releases private packages to its Keeps takes --client-ca " + files.caCert());
            return 0;
        }
    }

    @Command(
            name = "serve",
            mixinStandardHelpOptions = true,
            description = {
                "Serve the Steward until interrupted.",
                "POST / enrolls a Keep (application/pkcs10, or Enarx's application/vnd.steward.pkcs10-bundle.v1); GET / health; POST /token an EAR JWT;"
                        + " GET /ca.pem the CA certificate; GET /jwks; GET /metrics."
            })
    static final class Serve implements Callable<Integer> {
        @Option(
                names = "--listen",
                paramLabel = "ADDR:PORT",
                defaultValue = "127.0.0.1:3000",
                description = "Default: ${DEFAULT-VALUE}.")
        String listen;

        @Option(
                names = "--policy",
                required = true,
                paramLabel = "FILE",
                description =
                        "Policy TOML: Enarx steward.toml [snp]/[sgx] keys, [tdx], and [sim] (the simulated TEE, only when present).")
        Path policy;

        @ArgGroup(exclusive = true, multiplicity = "1")
        CaChoice ca;

        static final class CaChoice {
            @ArgGroup(exclusive = false)
            GivenCa given;

            @Option(
                    names = "--insecure-generated-ca",
                    required = true,
                    description =
                            "Generate a throwaway CA (DEBUG MODE: its certificates prove nothing to anybody else).")
            boolean generated;
        }

        static final class GivenCa {
            @Option(
                    names = "--ca-cert",
                    required = true,
                    paramLabel = "PEM",
                    description = "The issuing CA certificate.")
            Path cert;

            @Option(
                    names = "--ca-key",
                    required = true,
                    paramLabel = "PEM",
                    description = "Its private key (PKCS#8 or SEC1, unencrypted).")
            Path key;
        }

        @Option(
                names = "--tls-cert",
                paramLabel = "PEM",
                description = "Serve HTTPS (TLS 1.3) with this certificate chain.")
        Path tlsCert;

        @Option(names = "--tls-key", paramLabel = "PEM", description = "The TLS private key.")
        Path tlsKey;

        @Option(
                names = "--validity",
                paramLabel = "DURATION",
                defaultValue = "28d",
                description =
                        "Lifetime of issued certificates: 28d, 12h, 30m or ISO-8601 (P28D). Default: ${DEFAULT-VALUE}.")
        String validity;

        @Option(
                names = "--san",
                paramLabel = "DNS",
                description = "DNS subjectAltName for issued certificates (repeatable). Default: localhost.")
        List<String> sans;

        @Option(
                names = "--now",
                paramLabel = "RFC3339",
                description =
                        "Pin the clock (tests, replayed evidence): every validity decision and certificate uses this instant.")
        String now;

        @Option(
                names = "--amd-chain",
                paramLabel = "PEM",
                description = "AMD ASK/ASVK + ARK bundle to trust instead of the bundled Milan/Genoa/Turin roots.")
        Path amdChain;

        @Option(
                names = "--intel-root",
                paramLabel = "FILE",
                description = "Intel SGX Root CA (DER or PEM) to trust instead of the bundled one.")
        Path intelRoot;

        @picocli.CommandLine.Mixin
        CollateralOptions collateral;

        @Option(
                names = "--admin-listen",
                paramLabel = "ADDR:PORT",
                description =
                        "Serve /healthz, /readyz and /metrics here (plain HTTP, no authentication) instead of on --listen.")
        String adminListen;

        @Option(
                names = "--max-connections",
                paramLabel = "N",
                defaultValue = "30000",
                description =
                        "Connections at once (lowered to fit the file-descriptor limit). Default: ${DEFAULT-VALUE}.")
        int maxConnections;

        @Option(
                names = "--require-fresh-evidence",
                description =
                        "Freshness mode: certify only CSRs whose evidence binds a nonce this Steward issued (POST /nonce), "
                                + "unexpired and unused; replayed CSRs and Enarx Keeps (which send no nonce) are refused. Default: off "
                                + "(Enarx-compatible: a CSR without a nonce is certified whenever it is sent).")
        boolean requireFresh;

        @Option(
                names = "--nonce-lifetime",
                paramLabel = "DURATION",
                defaultValue = "2m",
                description =
                        "How long a nonce from POST /nonce may be used: 2m, 30s or ISO-8601. Default: ${DEFAULT-VALUE}.")
        String nonceLifetime;

        @Option(
                names = "--crypto",
                paramLabel = "ENGINE",
                defaultValue = "native",
                description =
                        "Who checks and makes ECDSA signatures: native (AWS-LC through the Amazon Corretto Crypto Provider, several "
                                + "times faster; BouncyCastle where it does not load) or java (BouncyCastle). Default: ${DEFAULT-VALUE}.")
        String crypto;

        @Override
        public Integer call() throws Exception {
            if ((tlsCert == null) != (tlsKey == null))
                throw new ExitCodeException(OneLineErrors.USAGE, "--tls-cert and --tls-key go together");
            InetSocketAddress addr = address(listen);
            Duration lifetime = duration(validity, "--validity");
            Duration nonceTtl = duration(nonceLifetime, "--nonce-lifetime");
            Clock clock = Clock.systemUTC();
            if (now != null) {
                try {
                    clock = Clock.fixed(Instant.parse(now), ZoneOffset.UTC);
                } catch (DateTimeParseException e) {
                    throw new ExitCodeException(
                            OneLineErrors.USAGE,
                            "--now: '" + now + "' is not an RFC 3339 UTC instant (e.g. 2023-01-15T00:00:00Z)");
                }
                System.err.println("donjon: WARNING: the clock is pinned at " + now
                        + ": expired evidence and collateral are judged as of then");
            }
            switch (crypto) {
                case "native" ->
                    SignatureProviders.useNative()
                            .ifPresent(why -> System.err.println("donjon: note: " + why
                                    + "; BouncyCastle (pure Java, slower) checks signatures instead"));
                case "java" -> SignatureProviders.useJava();
                default ->
                    throw new ExitCodeException(
                            OneLineErrors.USAGE, "--crypto: '" + crypto + "' is neither native nor java");
            }
            StewardPolicy rules = StewardPolicy.read(policy);
            if (rules.simChain().isPresent()) {
                System.err.println(
                        "donjon: WARNING: the policy has a [sim] section: SIMULATED Keeps (no hardware TEE) are certified");
            }
            CertificateAuthority authority;
            if (ca.generated) {
                authority = CertificateAuthority.generate(clock.instant());
                System.err.println(
                        "donjon: WARNING: DEBUG MODE: --insecure-generated-ca: this Steward's CA was generated just now and is thrown away on exit;"
                                + " its certificates prove nothing to anybody but tests");
            } else {
                authority = CertificateAuthority.load(ca.given.cert, ca.given.key);
            }
            TrustAnchors bundled = TrustAnchors.bundled();
            TrustAnchors anchors = new TrustAnchors(
                    amdChain == null ? bundled.amdChains() : Files.readAllBytes(amdChain),
                    intelRoot == null ? bundled.intelRoot() : Files.readAllBytes(intelRoot));
            // with any collateral option, SGX and TDX quotes are judged with the cache's TCB Info, QE Identity and CRLs
            Optional<dev.donjon.collateral.CollateralService> cache = collateral.given()
                    ? Optional.of(collateral.service(
                            clock, intelRoot == null ? Optional.empty() : Optional.of(anchors.intelRoot())))
                    : Optional.empty();
            cache.ifPresent(
                    c -> System.err.println("donjon: SGX and TDX collateral from the cache " + collateral.directory()
                            + (collateral.offline
                                    ? " (offline)"
                                    : " and " + collateral.pcsUrl() + ", refreshed hourly when due")));
            Steward steward = new Steward(
                    new Steward.Config(
                            authority,
                            rules,
                            anchors,
                            clock,
                            lifetime,
                            sans == null ? List.of("localhost") : sans,
                            cache.<dev.donjon.collateral.QuoteCollateral>map(c -> c)),
                    new Steward.Freshness(requireFresh, nonceTtl));

            Optional<SSLContext> tls = Optional.empty();
            if (tlsCert != null) {
                tls = Optional.of(Tls.context(Pem.privateKey(tlsKey), Pem.certificates(tlsCert), Optional.empty()));
            } else if (!addr.getAddress().isLoopbackAddress()) {
                System.err.println("donjon: WARNING: serving plain HTTP beyond loopback: use --tls-cert/--tls-key");
            }
            if (maxConnections < 1)
                throw new ExitCodeException(OneLineErrors.USAGE, "--max-connections must be at least 1");
            Optional<InetSocketAddress> admin =
                    adminListen == null ? Optional.empty() : Optional.of(address(adminListen));
            Optional<SSLContext> https = tls;
            StewardServer server = Serving.listening(
                    listen,
                    () -> StewardServer.start(new StewardServer.Config(
                            steward,
                            addr,
                            https,
                            StewardServer.Config.defaultLimits().withMaxConnections(maxConnections),
                            admin)));
            // an idle Steward keeps its collateral fresh, so the next Keep is not judged against a cache that just
            // expired
            Optional<CollateralRefresher> refresher = collateral.offline
                    ? Optional.empty()
                    : cache.map(c -> CollateralRefresher.start(c, CollateralRefresher.DEFAULT_INTERVAL));
            System.out.println(
                    "steward: signatures by " + SignatureProviders.current().name());
            System.out.println("steward: serving on " + server.baseUri()
                    + (authority.generated() ? " (DEBUG MODE: generated CA)" : ""));
            EdgeOptions.announceAdmin("steward", server.edge());
            if (!requireFresh) {
                System.err.println(
                        "donjon: note: Enarx-compatible mode: CSRs without a nonce are certified whenever they are sent"
                                + " (replays included); --require-fresh-evidence refuses them");
            }
            System.out.flush();
            Serving.untilStopped(() -> {
                refresher.ifPresent(CollateralRefresher::close);
                server.close();
            });
            return 0;
        }

        static InetSocketAddress address(String listen) throws ExitCodeException {
            int colon = listen.lastIndexOf(':');
            if (colon < 0) throw new ExitCodeException(OneLineErrors.USAGE, "--listen must be ADDR:PORT");
            try {
                return new InetSocketAddress(
                        listen.substring(0, colon).replaceAll("^\\[|]$", ""),
                        Integer.parseInt(listen.substring(colon + 1)));
            } catch (IllegalArgumentException e) {
                throw new ExitCodeException(OneLineErrors.USAGE, "--listen: '" + listen + "' is not ADDR:PORT");
            }
        }

        static Duration duration(String text, String option) throws ExitCodeException {
            try {
                Duration d;
                if (text.matches("\\d+[dhms]")) {
                    long n = Long.parseLong(text.substring(0, text.length() - 1));
                    d = switch (text.charAt(text.length() - 1)) {
                        case 'd' -> Duration.ofDays(n);
                        case 'h' -> Duration.ofHours(n);
                        case 'm' -> Duration.ofMinutes(n);
                        default -> Duration.ofSeconds(n);
                    };
                } else {
                    d = Duration.parse(text);
                }
                if (d.isNegative() || d.isZero())
                    throw new ExitCodeException(OneLineErrors.USAGE, option + " must be positive");
                return d;
            } catch (DateTimeParseException | ArithmeticException e) {
                throw new ExitCodeException(
                        OneLineErrors.USAGE, option + ": '" + text + "' is not a duration (28d, 12h, 30m or P28D)");
            }
        }
    }
}
