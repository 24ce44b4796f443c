package dev.donjon.cli;

import dev.donjon.host.agent.AgentSecurity;
import dev.donjon.host.agent.HostAgent;
import dev.donjon.keep.AddressRange;
import dev.donjon.keep.ConnectPolicy;
import dev.donjon.keep.NetworkPolicy;
import dev.donjon.platform.Backend;
import dev.donjon.server.ServerTls;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code donjon host}: the host agent that creates Keeps for remote owners. */
@Command(
        name = "host",
        description = "The host agent: creates Keeps on request and relays only ciphertext to them.",
        subcommands = HostCommand.Serve.class)
final class HostCommand {

    @Command(
            name = "serve",
            sortOptions = false,
            description = {
                "Serve the host agent's HTTPS API until interrupted.",
                "Every Keep is a separate OS process; stopping the agent (SIGTERM) stops them all.",
                "Clients authenticate with a certificate from --client-ca and/or a bearer token (--tokens, --oidc-*); plain HTTP only with --insecure-plain-http."
            })
    static final class Serve implements Callable<Integer> {

        @Option(
                names = "--listen",
                paramLabel = "ADDR",
                defaultValue = "127.0.0.1:8700",
                description = "HOST:PORT to listen on. Default: ${DEFAULT-VALUE}.")
        String listen;

        @Option(
                names = "--tls-cert",
                paramLabel = "PEM",
                description = "The agent's certificate chain (served as TLS 1.3).")
        Path tlsCert;

        @Option(names = "--tls-key", paramLabel = "PEM", description = "Its private key.")
        Path tlsKey;

        @Option(
                names = "--client-ca",
                paramLabel = "PEM",
                description =
                        "Operator CA: clients must present a certificate it issued (mutual TLS), unless they bring a bearer token "
                                + "(then the certificate is optional).")
        Path clientCa;

        @Option(
                names = "--insecure-plain-http",
                description =
                        "Plain HTTP and no client authentication: anyone who reaches the agent controls every Keep on it. Said loudly.")
        boolean insecurePlainHttp;

        @Mixin
        EdgeOptions edge;

        @Option(
                names = "--backend",
                paramLabel = "NAME",
                defaultValue = "${env:ENARX_BACKEND}",
                description =
                        "Backend of every Keep this agent creates: nil, sim, snp, tdx or sgx (env ENARX_BACKEND). Required: "
                                + "an agent never picks an insecure backend by itself.")
        String backend;

        @Option(
                names = "--max-keeps",
                paramLabel = "N",
                defaultValue = "64",
                description = "Keeps alive at once. Default: ${DEFAULT-VALUE}.")
        int maxKeeps;

        @Option(
                names = "--spare-keeps",
                paramLabel = "N",
                defaultValue = "1",
                description =
                        "Keep processes started ahead of demand, so a deployment waits only for the key and evidence. Default: ${DEFAULT-VALUE}.")
        int spareKeeps;

        @Option(
                names = "--package-timeout",
                paramLabel = "DURATION",
                converter = DurationConverter.class,
                defaultValue = "10m",
                description =
                        "Stop a Keep that has not received its package after this long. Default: ${DEFAULT-VALUE}.")
        Duration packageTimeout;

        @Option(
                names = "--memory-budget",
                paramLabel = "SIZE",
                converter = SizeConverter.class,
                description =
                        "Memory all Keep processes together may hold, each counted at its bound (guest limit x 2 + 768 MiB; see "
                                + "donjon-host/README.md); a Keep that does not fit is refused (503). Default: three quarters of this host's memory.")
        Long memoryBudget;

        @Option(
                names = "--quota-keeps",
                paramLabel = "N",
                description =
                        "Keeps one client (principal) may have alive at once; past it, 429. Default: no per-client limit.")
        Integer quotaKeeps;

        @Option(
                names = "--quota-memory",
                paramLabel = "SIZE",
                converter = SizeConverter.class,
                description =
                        "Guest memory (the sum of memory limits) one client's Keeps may have; past it, 429. Default: no per-client limit.")
        Long quotaMemory;

        @Option(
                names = "--max-output-per-keep",
                paramLabel = "SIZE",
                converter = SizeConverter.class,
                defaultValue = "64MiB",
                description =
                        "Encrypted output the agent holds for one Keep until its client reads it; past it the Keep is stopped. Default: ${DEFAULT-VALUE}.")
        long outputPerKeep;

        @Option(
                names = "--max-output",
                paramLabel = "SIZE",
                converter = SizeConverter.class,
                defaultValue = "512MiB",
                description =
                        "Encrypted output the agent holds for all Keeps; ended Keeps' output is discarded (oldest first) to make room, "
                                + "and a running Keep whose output does not fit is stopped. Default: ${DEFAULT-VALUE}.")
        long outputTotal;

        @Option(
                names = "--keep-connect-allow",
                paramLabel = "CIDR",
                description =
                        "Guests' connect files may reach only these addresses (repeatable; e.g. 10.0.0.0/8, 2001:db8::/32, 127.0.0.1). "
                                + "Default: anywhere but this host (loopback, link-local, this host's own addresses are refused).")
        List<String> connectAllow = new java.util.ArrayList<>();

        @Option(
                names = "--keep-connect-anywhere",
                description =
                        "Let guests' connect files reach any address, this host's loopback and link-local services included (UNSAFE).")
        boolean connectAnywhere;

        @Option(
                names = "--keep-listen-address",
                paramLabel = "ADDR",
                description =
                        "Keeps' listen files bind only this address (a listener on the wildcard binds it instead; another address is "
                                + "refused). Default: the address each workload's Enarx.toml names (all interfaces if none).")
        String listenAddress;

        @Override
        public Integer call() throws Exception {
            if (backend == null || backend.isBlank()) {
                throw new ExitCodeException(
                        OneLineErrors.USAGE, "choose the Keeps' backend with --backend (nil, sim, snp, tdx or sgx)");
            }
            Optional<Backend> known = Backend.named(backend);
            if (known.isEmpty()) {
                throw new ExitCodeException(
                        OneLineErrors.USAGE,
                        "unknown backend \"" + backend + "\" (expected nil, sim, snp, tdx or sgx;"
                                + " or Enarx's sev, kvm)");
            }
            if (!known.get().wireName().equals(backend)) {
                System.err.println("donjon: backend '" + backend + "' is Enarx's name for Donjon's " + known.get());
                backend = known.get().wireName();
            }
            if (maxKeeps < 1) throw new ExitCodeException(OneLineErrors.USAGE, "--max-keeps must be at least 1");
            if (spareKeeps < 0) throw new ExitCodeException(OneLineErrors.USAGE, "--spare-keeps cannot be negative");
            HostAgent.Config config = HostAgent.Config.defaults(address(listen), backend)
                    .withMaxKeeps(maxKeeps)
                    .withPackageTimeout(packageTimeout)
                    .withSpareKeeps(spareKeeps)
                    .withNetwork(network());
            try {
                if (memoryBudget != null) config = config.withMemoryBudget(memoryBudget);
                if (quotaKeeps != null || quotaMemory != null) {
                    config = config.withQuota(
                            quotaKeeps == null ? Integer.MAX_VALUE : quotaKeeps,
                            quotaMemory == null ? Long.MAX_VALUE : quotaMemory);
                }
                config = config.withOutputBuffer(outputPerKeep, outputTotal);
            } catch (IllegalArgumentException e) {
                throw new ExitCodeException(OneLineErrors.USAGE, e.getMessage());
            }
            config = config.withSecurity(
                    security()); // last: the insecure mode's warning only once every option is valid
            HostAgent.Config ready = config;
            try (HostAgent agent = Serving.listening(listen, () -> HostAgent.start(ready))) {
                System.err.println("donjon host agent listening on " + agent.baseUri() + " (backend " + backend + ")");
                EdgeOptions.announceAdmin("agent", agent.edge());
                if (!config.kind().hardware()) {
                    System.err.println(
                            "WARNING: " + backend
                                    + " Keeps are not confidential; clients refuse them unless they pass --allow-insecure-backend");
                }
                if (connectAnywhere) {
                    System.err.println(
                            "WARNING: --keep-connect-anywhere: guests may reach this host's loopback and link-local services");
                }
                new CountDownLatch(1).await(); // until interrupted; the shutdown hook stops every Keep
            }
            return 0;
        }

        private AgentSecurity security() throws java.io.IOException {
            if ((tlsCert == null) != (tlsKey == null))
                throw new ExitCodeException(OneLineErrors.USAGE, "--tls-cert and --tls-key go together");
            if (insecurePlainHttp) {
                if (tlsCert != null || clientCa != null || edge.tokens != null || edge.oidcGiven())
                    throw new ExitCodeException(
                            OneLineErrors.USAGE,
                            "--insecure-plain-http takes no --tls-*, --client-ca, --tokens or --oidc-* (it authenticates nobody)");
                String bar = "!".repeat(78);
                System.err.println(bar);
                System.err.println(
                        "!! WARNING: --insecure-plain-http: plain HTTP, no client authentication. Anyone who can reach");
                System.err.println("!! " + listen
                        + " can create, feed, read and stop every Keep on this host. Local development only.");
                System.err.println(bar);
                return AgentSecurity.insecurePlainHttp()
                        .withLimits(edge.limits())
                        .withAdminListen(edge.admin());
            }
            if (tlsCert == null)
                throw new ExitCodeException(
                        OneLineErrors.USAGE,
                        "the agent serves TLS: give --tls-cert and --tls-key (or --insecure-plain-http for local development)");
            if (clientCa == null && edge.tokens == null && !edge.oidcGiven())
                throw new ExitCodeException(
                        OneLineErrors.USAGE,
                        "the agent authenticates its clients: give --client-ca, --tokens or --oidc-issuer/--oidc-jwks/--oidc-audience");
            boolean tokensToo = edge.tokens != null || edge.oidcGiven();
            ServerTls.ClientAuth mode = clientCa == null
                    ? ServerTls.ClientAuth.NONE
                    : tokensToo ? ServerTls.ClientAuth.OPTIONAL : ServerTls.ClientAuth.REQUIRED;
            ServerTls tls = ServerTls.of(
                    EdgeOptions.certificates(tlsCert, "--tls-cert"),
                    EdgeOptions.privateKey(tlsKey, "--tls-key"),
                    clientCa == null
                            ? Optional.empty()
                            : Optional.of(EdgeOptions.certificates(clientCa, "--client-ca")),
                    mode);
            return new AgentSecurity(
                    Optional.of(tls), edge.authenticator(clientCa != null), false, edge.limits(), edge.admin());
        }

        /** What guests' sockets may reach and where they listen, from the --keep-* options. */
        private NetworkPolicy network() {
            if (connectAnywhere && !connectAllow.isEmpty()) {
                throw new ExitCodeException(
                        OneLineErrors.USAGE, "--keep-connect-anywhere and --keep-connect-allow exclude each other");
            }
            ConnectPolicy connect;
            try {
                connect = connectAnywhere
                        ? new ConnectPolicy.Anywhere()
                        : connectAllow.isEmpty()
                                ? new ConnectPolicy.NotThisHost()
                                : new ConnectPolicy.Only(connectAllow.stream()
                                        .map(AddressRange::parse)
                                        .toList());
            } catch (IllegalArgumentException e) {
                throw new ExitCodeException(OneLineErrors.USAGE, "--keep-connect-allow: " + e.getMessage());
            }
            NetworkPolicy policy = new NetworkPolicy(connect, java.util.Optional.empty());
            if (listenAddress == null) return policy;
            try {
                AddressRange one = AddressRange.parse(listenAddress);
                if (one.prefixLength() != one.network().getAddress().length * 8) {
                    throw new IllegalArgumentException("\"" + listenAddress + "\" is a block, not one address");
                }
                return policy.withListenAddress(one.network());
            } catch (IllegalArgumentException e) {
                throw new ExitCodeException(OneLineErrors.USAGE, "--keep-listen-address: " + e.getMessage());
            }
        }

        static InetSocketAddress address(String value) {
            int colon = value.lastIndexOf(':');
            if (colon < 0)
                throw new ExitCodeException(OneLineErrors.USAGE, "--listen must be HOST:PORT, not \"" + value + "\"");
            String host = value.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
            int port;
            try {
                port = Integer.parseInt(value.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new ExitCodeException(OneLineErrors.USAGE, "--listen port is not a number: \"" + value + "\"");
            }
            if (port < 0 || port > 65535)
                throw new ExitCodeException(OneLineErrors.USAGE, "--listen port " + port + " is out of range");
            return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
        }
    }
}
