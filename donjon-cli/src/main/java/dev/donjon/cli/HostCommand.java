package dev.donjon.cli;

import dev.donjon.host.agent.AgentSecurity;
import dev.donjon.platform.Backend;
import dev.donjon.host.agent.HostAgent;
import dev.donjon.server.ServerTls;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code donjon host}: the host agent that creates Keeps for remote owners. */
@Command(name = "host", description = "The host agent: creates Keeps on request and relays only ciphertext to them.",
        subcommands = HostCommand.Serve.class)
final class HostCommand {

    @Command(name = "serve", sortOptions = false,
            description = {"Serve the host agent's HTTPS API until interrupted. Every Keep is a separate OS process;",
                "stopping the agent (SIGTERM) stops them all. Clients authenticate with a certificate from --client-ca",
                "and/or a bearer token (--tokens, --oidc-*); plain HTTP only with --insecure-plain-http."})
    static final class Serve implements Callable<Integer> {

        @Option(names = "--listen", paramLabel = "ADDR", defaultValue = "127.0.0.1:8700",
                description = "HOST:PORT to listen on. Default: ${DEFAULT-VALUE}.")
        String listen;

        @Option(names = "--tls-cert", paramLabel = "PEM", description = "The agent's certificate chain (served as TLS 1.3).")
        Path tlsCert;

        @Option(names = "--tls-key", paramLabel = "PEM", description = "Its private key.")
        Path tlsKey;

        @Option(names = "--client-ca", paramLabel = "PEM",
                description = "Operator CA: clients must present a certificate it issued (mutual TLS), unless they bring a bearer token "
                        + "(then the certificate is optional).")
        Path clientCa;

        @Option(names = "--insecure-plain-http",
                description = "Plain HTTP and no client authentication: anyone who reaches the agent controls every Keep on it. Said loudly.")
        boolean insecurePlainHttp;

        @Mixin
        EdgeOptions edge;

        @Option(names = "--backend", paramLabel = "NAME", defaultValue = "${env:ENARX_BACKEND}",
                description = "Backend of every Keep this agent creates: nil, sim, snp, tdx or sgx (env ENARX_BACKEND). Required: "
                        + "an agent never picks an insecure backend by itself.")
        String backend;

        @Option(names = "--max-keeps", paramLabel = "N", defaultValue = "64", description = "Keeps alive at once. Default: ${DEFAULT-VALUE}.")
        int maxKeeps;

        @Option(names = "--spare-keeps", paramLabel = "N", defaultValue = "1",
                description = "Keep processes started ahead of demand, so a deployment waits only for the key and evidence. Default: ${DEFAULT-VALUE}.")
        int spareKeeps;

        @Option(names = "--package-timeout", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "10m",
                description = "Stop a Keep that has not received its package after this long. Default: ${DEFAULT-VALUE}.")
        Duration packageTimeout;

        @Override
        public Integer call() throws Exception {
            if (backend == null || backend.isBlank()) {
                throw new ExitCodeException(OneLineErrors.USAGE, "choose the Keeps' backend with --backend (nil, sim, snp, tdx or sgx)");
            }
            if (Backend.fromWireName(backend).isEmpty()) {
                throw new ExitCodeException(OneLineErrors.USAGE, "unknown backend \"" + backend + "\" (expected nil, sim, snp, tdx or sgx)");
            }
            if (maxKeeps < 1) throw new ExitCodeException(OneLineErrors.USAGE, "--max-keeps must be at least 1");
            if (spareKeeps < 0) throw new ExitCodeException(OneLineErrors.USAGE, "--spare-keeps cannot be negative");
            HostAgent.Config config = HostAgent.Config.defaults(address(listen), backend)
                    .withMaxKeeps(maxKeeps).withPackageTimeout(packageTimeout).withSpareKeeps(spareKeeps).withSecurity(security());
            try (HostAgent agent = HostAgent.start(config)) {
                System.err.println("donjon host agent listening on " + agent.baseUri() + " (backend " + backend + ")");
                EdgeOptions.announceAdmin("agent", agent.edge());
                if (!config.kind().hardware()) {
                    System.err.println("WARNING: " + backend + " Keeps are not confidential; clients refuse them unless they pass --allow-insecure-backend");
                }
                new CountDownLatch(1).await(); // until interrupted; the shutdown hook stops every Keep
            }
            return 0;
        }

        private AgentSecurity security() throws java.io.IOException {
            if ((tlsCert == null) != (tlsKey == null)) throw new ExitCodeException(OneLineErrors.USAGE, "--tls-cert and --tls-key go together");
            if (insecurePlainHttp) {
                if (tlsCert != null || clientCa != null || edge.tokens != null || edge.oidcGiven())
                    throw new ExitCodeException(OneLineErrors.USAGE, "--insecure-plain-http takes no --tls-*, --client-ca, --tokens or --oidc-* (it authenticates nobody)");
                String bar = "!".repeat(78);
                System.err.println(bar);
                System.err.println("!! WARNING: --insecure-plain-http: plain HTTP, no client authentication. Anyone who can reach");
                System.err.println("!! " + listen + " can create, feed, read and stop every Keep on this host. Local development only.");
                System.err.println(bar);
                return AgentSecurity.insecurePlainHttp().withLimits(edge.limits()).withAdminListen(edge.admin());
            }
            if (tlsCert == null)
                throw new ExitCodeException(OneLineErrors.USAGE, "the agent serves TLS: give --tls-cert and --tls-key (or --insecure-plain-http for local development)");
            if (clientCa == null && edge.tokens == null && !edge.oidcGiven())
                throw new ExitCodeException(OneLineErrors.USAGE, "the agent authenticates its clients: give --client-ca, --tokens or --oidc-issuer/--oidc-jwks/--oidc-audience");
            boolean tokensToo = edge.tokens != null || edge.oidcGiven();
            ServerTls.ClientAuth mode = clientCa == null ? ServerTls.ClientAuth.NONE : tokensToo ? ServerTls.ClientAuth.OPTIONAL : ServerTls.ClientAuth.REQUIRED;
            ServerTls tls = ServerTls.of(EdgeOptions.certificates(tlsCert, "--tls-cert"), EdgeOptions.privateKey(tlsKey, "--tls-key"),
                    clientCa == null ? Optional.empty() : Optional.of(EdgeOptions.certificates(clientCa, "--client-ca")), mode);
            return new AgentSecurity(Optional.of(tls), edge.authenticator(clientCa != null), false, edge.limits(), edge.admin());
        }

        static InetSocketAddress address(String value) {
            int colon = value.lastIndexOf(':');
            if (colon < 0) throw new ExitCodeException(OneLineErrors.USAGE, "--listen must be HOST:PORT, not \"" + value + "\"");
            String host = value.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
            int port;
            try {
                port = Integer.parseInt(value.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new ExitCodeException(OneLineErrors.USAGE, "--listen port is not a number: \"" + value + "\"");
            }
            if (port < 0 || port > 65535) throw new ExitCodeException(OneLineErrors.USAGE, "--listen port " + port + " is out of range");
            return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
        }
    }
}
