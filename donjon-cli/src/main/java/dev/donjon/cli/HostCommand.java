package dev.donjon.cli;

import dev.donjon.platform.Backend;
import dev.donjon.host.agent.HostAgent;
import java.net.InetSocketAddress;
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
            description = {"Serve the host agent's HTTP API until interrupted. Every Keep is a separate OS process;",
                "stopping the agent stops them all."})
    static final class Serve implements Callable<Integer> {

        @Option(names = "--listen", paramLabel = "ADDR", defaultValue = "127.0.0.1:8700",
                description = "HOST:PORT to listen on (plain HTTP: everything it carries is public or sealed). Default: ${DEFAULT-VALUE}.")
        String listen;

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
                    .withMaxKeeps(maxKeeps).withPackageTimeout(packageTimeout).withSpareKeeps(spareKeeps);
            try (HostAgent agent = HostAgent.start(config)) {
                System.err.println("donjon host agent listening on " + agent.baseUri() + " (backend " + backend + ")");
                if (!config.kind().hardware()) {
                    System.err.println("WARNING: " + backend + " Keeps are not confidential; clients refuse them unless they pass --allow-insecure-backend");
                }
                new CountDownLatch(1).await(); // until interrupted; the shutdown hook stops every Keep
            }
            return 0;
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
