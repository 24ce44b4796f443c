package dev.donjon.cli;

import dev.donjon.common.Pem;
import dev.donjon.common.Tls;
import dev.donjon.drawbridge.RegistryServer;
import dev.donjon.drawbridge.RegistryStore;
import dev.donjon.server.Authenticator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "drawbridge",
        description = "The Drawbridge workload registry.",
        subcommands = {DrawbridgeCommand.Serve.class, DrawbridgeCommand.Check.class})
final class DrawbridgeCommand {

    /** Where the registry keeps its state: a directory alone, or a directory of blobs and a PostgreSQL catalog. */
    static final class StoreOptions {
        @Option(
                names = "--store",
                required = true,
                paramLabel = "DIR",
                description =
                        "Store directory (created if missing): everything, or with --database the content (blobs), which every replica must mount.")
        Path store;

        @Option(
                names = "--database",
                paramLabel = "JDBC_URL",
                defaultValue = "${env:DONJON_DATABASE_URL}",
                description =
                        "Keep users, repositories and tags in PostgreSQL (jdbc:postgresql://HOST:PORT/DB; env DONJON_DATABASE_URL), so "
                                + "several replicas can serve one registry. The schema is created or updated at start.")
        String database;

        @Option(
                names = "--database-user",
                paramLabel = "NAME",
                defaultValue = "${env:DONJON_DATABASE_USER:-drawbridge}",
                description = "Database user (env DONJON_DATABASE_USER). Default: ${DEFAULT-VALUE}.")
        String databaseUser;

        @Option(
                names = "--database-password-file",
                paramLabel = "FILE",
                description = "File holding the database password (one line).")
        Path databasePasswordFile;

        RegistryStore open(long maxUpload) throws IOException {
            if (database == null || database.isBlank()) {
                if (databasePasswordFile != null)
                    throw new ExitCodeException(OneLineErrors.USAGE, "--database-password-file needs --database");
                return new RegistryStore(store, maxUpload);
            }
            if (!database.startsWith("jdbc:postgresql://"))
                throw new ExitCodeException(
                        OneLineErrors.USAGE,
                        "--database must be a PostgreSQL JDBC URL: jdbc:postgresql://HOST[:PORT]/DATABASE");
            return RegistryStore.shared(store, maxUpload, database, databaseUser, password());
        }

        private Optional<String> password() throws IOException {
            if (databasePasswordFile == null) return Optional.empty();
            try {
                return Optional.of(Files.readString(databasePasswordFile, StandardCharsets.UTF_8)
                        .strip());
            } catch (NoSuchFileException e) {
                throw new ExitCodeException(
                        OneLineErrors.USAGE, "--database-password-file: " + databasePasswordFile + ": no such file");
            }
        }
    }

    @Command(
            name = "serve",
            description =
                    "Serve a Drawbridge registry (API /api/v0.1.0/) from a store directory, or a store directory and a database.")
    static final class Serve implements Callable<Integer> {
        @Mixin
        StoreOptions storage;

        @Option(
                names = "--listen",
                paramLabel = "ADDR:PORT",
                defaultValue = "127.0.0.1:8443",
                description = "Default: ${DEFAULT-VALUE}.")
        String listen;

        @Option(names = "--tls-cert", paramLabel = "PEM", description = "Server certificate chain.")
        Path tlsCert;

        @Option(names = "--tls-key", paramLabel = "PEM", description = "Server private key.")
        Path tlsKey;

        @Option(
                names = "--client-ca",
                paramLabel = "STEWARD_CA",
                description = "Steward CA: clients with a certificate it issued may read private repositories.")
        Path clientCa;

        @Mixin
        EdgeOptions edge;

        @Option(
                names = "--max-upload",
                paramLabel = "BYTES",
                defaultValue = "268435456",
                description = "Largest accepted upload. Default: ${DEFAULT-VALUE}.")
        long maxUpload;

        @Override
        public Integer call() throws Exception {
            if ((tlsCert == null) != (tlsKey == null))
                throw new ExitCodeException(OneLineErrors.USAGE, "--tls-cert and --tls-key go together");
            if (clientCa != null && tlsCert == null)
                throw new ExitCodeException(OneLineErrors.USAGE, "--client-ca needs TLS (--tls-cert, --tls-key)");
            InetSocketAddress addr = StewardCommand.Serve.address(listen);

            Optional<SSLContext> tls = Optional.empty();
            if (tlsCert != null) {
                tls = Optional.of(Tls.context(
                        Pem.privateKey(tlsKey),
                        Pem.certificates(tlsCert),
                        Tls.anchors(clientCa == null ? List.of() : Pem.certificates(clientCa))));
            } else {
                System.err.println(
                        "donjon: WARNING: serving plain HTTP: tokens and workloads cross the network in clear; use --tls-cert/--tls-key beyond loopback");
            }
            if (edge.tokens == null && !edge.oidcGiven())
                System.err.println(
                        "donjon: WARNING: no --tokens and no --oidc-*: nobody can register or publish; the registry is read-only");
            Authenticator auth = edge.authenticator(clientCa != null);
            RegistryStore store = storage.open(maxUpload);
            Optional<SSLContext> https = tls;
            RegistryServer server;
            try {
                server = Serving.listening(
                        listen,
                        () -> RegistryServer.start(new RegistryServer.Config(
                                store, addr, https, clientCa != null, auth, edge.limits(), edge.admin())));
            } catch (Exception e) {
                store.close();
                throw e;
            }
            System.out.println("drawbridge: serving " + store.describe() + " on " + server.baseUri() + "/api/v0.1.0/");
            EdgeOptions.announceAdmin("drawbridge", server.edge());
            System.out.flush();
            Serving.untilStopped(server);
            return 0;
        }
    }

    @Command(
            name = "check",
            description = {
                "Check that every tag and tree node names content the store holds, unaltered (reads every blob).",
                "Run it after restoring a backup. Exit 0 when consistent, 1 with one line per problem otherwise."
            })
    static final class Check implements Callable<Integer> {
        @Mixin
        StoreOptions storage;

        @Override
        public Integer call() throws Exception {
            try (RegistryStore store = storage.open(0)) {
                List<String> problems = store.check();
                problems.forEach(p -> System.out.println("drawbridge: " + p));
                System.out.println(
                        "drawbridge: " + (problems.isEmpty() ? "consistent" : problems.size() + " problem(s)") + ": "
                                + store.describe());
                return problems.isEmpty() ? 0 : 1;
            }
        }
    }
}
