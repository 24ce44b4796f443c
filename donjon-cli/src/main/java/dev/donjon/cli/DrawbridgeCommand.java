package dev.donjon.cli;

import dev.donjon.common.Pem;
import dev.donjon.common.Tls;
import dev.donjon.drawbridge.Authenticator;
import dev.donjon.drawbridge.OidcVerifier;
import dev.donjon.drawbridge.RegistryServer;
import dev.donjon.drawbridge.RegistryStore;
import dev.donjon.drawbridge.TokenFile;
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
        @Option(names = "--tokens", paramLabel = "FILE", description = "Static bearer tokens: lines 'TOKEN SUBJECT SCOPE...'.") Path tokens;
        @Option(names = "--oidc-issuer", paramLabel = "URL") String oidcIssuer;
        @Option(names = "--oidc-jwks", paramLabel = "FILE_OR_URL") String oidcJwks;
        @Option(names = "--oidc-audience", paramLabel = "AUD") String oidcAudience;
        @Option(names = "--max-upload", paramLabel = "BYTES", defaultValue = "268435456", description = "Largest accepted upload. Default: ${DEFAULT-VALUE}.") long maxUpload;

        @Override
        public Integer call() throws Exception {
            if ((tlsCert == null) != (tlsKey == null)) throw new ExitCodeException(OneLineErrors.USAGE, "--tls-cert and --tls-key go together");
            if (clientCa != null && tlsCert == null) throw new ExitCodeException(OneLineErrors.USAGE, "--client-ca needs TLS (--tls-cert, --tls-key)");
            int oidcGiven = (oidcIssuer != null ? 1 : 0) + (oidcJwks != null ? 1 : 0) + (oidcAudience != null ? 1 : 0);
            if (oidcGiven != 0 && oidcGiven != 3) throw new ExitCodeException(OneLineErrors.USAGE, "--oidc-issuer, --oidc-jwks and --oidc-audience go together");
            int colon = listen.lastIndexOf(':');
            if (colon < 0) throw new ExitCodeException(OneLineErrors.USAGE, "--listen must be ADDR:PORT");
            InetSocketAddress addr = new InetSocketAddress(listen.substring(0, colon).replaceAll("^\\[|]$", ""), Integer.parseInt(listen.substring(colon + 1)));

            Optional<SSLContext> tls = Optional.empty();
            if (tlsCert != null) {
                tls = Optional.of(Tls.context(Pem.privateKey(tlsKey), Pem.certificates(tlsCert), Tls.anchors(clientCa == null ? List.of() : Pem.certificates(clientCa))));
            } else {
                System.err.println("donjon: WARNING: serving plain HTTP: tokens and workloads cross the network in clear; use --tls-cert/--tls-key beyond loopback");
            }
            if (tokens == null && oidcGiven == 0)
                System.err.println("donjon: WARNING: no --tokens and no --oidc-*: nobody can register or publish; the registry is read-only");
            Authenticator auth = new Authenticator(
                    tokens == null ? Optional.empty() : Optional.of(TokenFile.load(tokens)),
                    oidcGiven == 3 ? Optional.of(new OidcVerifier(oidcIssuer, oidcJwks, oidcAudience)) : Optional.empty(),
                    clientCa != null);
            RegistryServer server = RegistryServer.start(new RegistryServer.Config(new RegistryStore(store, maxUpload), addr, tls, clientCa != null, auth));
            System.out.println("drawbridge: serving " + store + " on " + server.baseUri() + "/api/v0.1.0/");
            System.out.flush();
            Serving.untilStopped(server);
            return 0;
        }
    }
}
