package dev.donjon.cli;

import dev.donjon.common.Pem;
import dev.donjon.common.Tls;
import dev.donjon.drawbridge.RegistryServer;
import dev.donjon.drawbridge.RegistryStore;
import dev.donjon.server.Authenticator;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "drawbridge", description = "The Drawbridge workload registry.", subcommands = {DrawbridgeCommand.Serve.class})
final class DrawbridgeCommand {

    @Command(name = "serve", description = "Serve a Drawbridge registry (API /api/v0.1.0/) from a store directory.")
    static final class Serve implements Callable<Integer> {
        @Option(names = "--store", required = true, paramLabel = "DIR", description = "Store directory (created if missing).") Path store;
        @Option(names = "--listen", paramLabel = "ADDR:PORT", defaultValue = "127.0.0.1:8443", description = "Default: ${DEFAULT-VALUE}.") String listen;
        @Option(names = "--tls-cert", paramLabel = "PEM", description = "Server certificate chain.") Path tlsCert;
        @Option(names = "--tls-key", paramLabel = "PEM", description = "Server private key.") Path tlsKey;
        @Option(names = "--client-ca", paramLabel = "STEWARD_CA", description = "Steward CA: clients with a certificate it issued may read private repositories.") Path clientCa;
        @picocli.CommandLine.Mixin EdgeOptions edge;
        @Option(names = "--max-upload", paramLabel = "BYTES", defaultValue = "268435456", description = "Largest accepted upload. Default: ${DEFAULT-VALUE}.") long maxUpload;

        @Override
        public Integer call() throws Exception {
            if ((tlsCert == null) != (tlsKey == null)) throw new ExitCodeException(OneLineErrors.USAGE, "--tls-cert and --tls-key go together");
            if (clientCa != null && tlsCert == null) throw new ExitCodeException(OneLineErrors.USAGE, "--client-ca needs TLS (--tls-cert, --tls-key)");
            int colon = listen.lastIndexOf(':');
            if (colon < 0) throw new ExitCodeException(OneLineErrors.USAGE, "--listen must be ADDR:PORT");
            InetSocketAddress addr = new InetSocketAddress(listen.substring(0, colon).replaceAll("^\\[|]$", ""), Integer.parseInt(listen.substring(colon + 1)));

            Optional<SSLContext> tls = Optional.empty();
            if (tlsCert != null) {
                tls = Optional.of(Tls.context(Pem.privateKey(tlsKey), Pem.certificates(tlsCert), Tls.anchors(clientCa == null ? List.of() : Pem.certificates(clientCa))));
            } else {
                System.err.println("donjon: WARNING: serving plain HTTP: tokens and workloads cross the network in clear; use --tls-cert/--tls-key beyond loopback");
            }
            if (edge.tokens == null && !edge.oidcGiven())
                System.err.println("donjon: WARNING: no --tokens and no --oidc-*: nobody can register or publish; the registry is read-only");
            Authenticator auth = edge.authenticator(clientCa != null);
            RegistryServer server = RegistryServer.start(new RegistryServer.Config(new RegistryStore(store, maxUpload), addr, tls, clientCa != null, auth,
                    edge.limits(), edge.admin()));
            System.out.println("drawbridge: serving " + store + " on " + server.baseUri() + "/api/v0.1.0/");
            System.out.flush();
            Serving.untilStopped(server);
            return 0;
        }
    }
}
