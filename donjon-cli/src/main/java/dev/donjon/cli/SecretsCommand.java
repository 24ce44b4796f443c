package dev.donjon.cli;

import dev.donjon.common.Pem;
import dev.donjon.common.Tls;
import dev.donjon.keep.TrustAnchorFiles;
import dev.donjon.secrets.AuditLog;
import dev.donjon.secrets.BrokerException;
import dev.donjon.secrets.BrokerMetrics;
import dev.donjon.secrets.BrokerServer;
import dev.donjon.secrets.EmbeddedStore;
import dev.donjon.secrets.MasterKey;
import dev.donjon.secrets.OperatorClient;
import dev.donjon.secrets.OperatorToken;
import dev.donjon.secrets.PostgresStore;
import dev.donjon.secrets.SecretBroker;
import dev.donjon.secrets.SecretPolicy;
import dev.donjon.secrets.SecretStore;
import dev.donjon.server.Limits;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code donjon secrets ...}: the secret broker, and the operator commands that manage its secrets. */
@Command(
        name = "secrets",
        mixinStandardHelpOptions = true,
        description = {
            "Run and manage the secret broker, which releases secrets only to attested Keeps.",
            "Secrets are sealed at rest under the operator's master key and released over mutual TLS only to Keeps whose",
            "Steward-issued certificate carries claims that satisfy each secret's policy. Every decision is audited."
        },
        subcommands = {
            SecretsCommand.Serve.class,
            SecretsCommand.Put.class,
            SecretsCommand.Rotate.class,
            SecretsCommand.ListCmd.class,
            SecretsCommand.Delete.class,
            SecretsCommand.Keygen.class,
            SecretsCommand.Token.class
        })
final class SecretsCommand {

    static <T> T or(BrokerCall<T> call) {
        try {
            return call.run();
        } catch (BrokerException e) {
            throw new ExitCodeException(OneLineErrors.FAILURE, e.getMessage());
        }
    }

    @FunctionalInterface
    interface BrokerCall<T> {
        T run() throws BrokerException;
    }

    @Command(
            name = "serve",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "Serve the secret broker to Keeps and operators.",
                "Keeps on --listen (GET /v1/secrets/NAME, mutual TLS 1.3), operators on --operator-listen",
                "(/v1/admin/secrets, operator token; GET /metrics). Both answer GET /healthz and /readyz."
            })
    static final class Serve implements Callable<Integer> {
        @Option(
                names = "--master-key",
                required = true,
                paramLabel = "FILE",
                description = "The master key (owner-only file; make one with 'donjon secrets keygen').")
        Path masterKey;

        @Option(
                names = "--operator-token",
                required = true,
                paramLabel = "FILE",
                description = "The operator token (owner-only file; 'donjon secrets token').")
        Path operatorToken;

        @Option(
                names = "--steward-ca",
                required = true,
                paramLabel = "PEM",
                description = "The Steward CA certificate(s): Keeps' client certificates must chain to one.")
        Path stewardCa;

        @Option(
                names = "--tls-cert",
                required = true,
                paramLabel = "PEM",
                description = "The broker's HTTPS certificate chain.")
        Path tlsCert;

        @Option(names = "--tls-key", required = true, paramLabel = "PEM", description = "Its private key.")
        Path tlsKey;

        @Option(
                names = "--listen",
                paramLabel = "ADDR:PORT",
                defaultValue = "127.0.0.1:8600",
                description = "Where Keeps connect. Default: ${DEFAULT-VALUE}.")
        String listen;

        @Option(
                names = "--operator-listen",
                paramLabel = "ADDR:PORT",
                defaultValue = "127.0.0.1:8601",
                description = "Where operators connect (keep it private). Default: ${DEFAULT-VALUE}.")
        String operatorListen;

        @Option(
                names = "--admin-listen",
                paramLabel = "ADDR:PORT",
                description =
                        "Serve the operator side's /healthz, /readyz and /metrics here (plain HTTP, no authentication) instead.")
        String adminListen;

        @Option(
                names = "--max-connections",
                paramLabel = "N",
                defaultValue = "10000",
                description =
                        "Keep connections at once (lowered to fit the file-descriptor limit). Default: ${DEFAULT-VALUE}.")
        int maxConnections;

        @ArgGroup(exclusive = true)
        StoreChoice store = new StoreChoice();

        static final class StoreChoice {
            @Option(
                    names = "--store",
                    paramLabel = "DIR",
                    description = "Embedded store directory (one broker). Default: ./donjon-secrets.")
            Path dir;

            @ArgGroup(exclusive = false)
            Postgres postgres;
        }

        static final class Postgres {
            @Option(
                    names = "--postgres",
                    required = true,
                    paramLabel = "JDBC_URL",
                    description = "PostgreSQL store, e.g. jdbc:postgresql://db:5432/donjon (several brokers).")
            String url;

            @Option(
                    names = "--postgres-user",
                    paramLabel = "USER",
                    defaultValue = "donjon",
                    description = "Default: ${DEFAULT-VALUE}.")
            String user;

            @Option(
                    names = "--postgres-password-file",
                    paramLabel = "FILE",
                    description = "A file holding the password (default: none).")
            Path passwordFile;
        }

        @Option(
                names = "--audit-log",
                paramLabel = "FILE",
                description =
                        "Where decisions go (JSON lines; '-' for stderr). Default: STORE/audit.jsonl (required with --postgres).")
        String auditLog;

        @Override
        public Integer call() throws Exception {
            MasterKey key = or(() -> MasterKey.read(masterKey));
            OperatorToken token = or(() -> OperatorToken.read(operatorToken));
            List<java.security.cert.X509Certificate> stewardCas = TrustAnchorFiles.read(stewardCa, "--steward-ca");
            SecretStore s;
            AuditLog audit;
            if (store.postgres != null) {
                char[] password = store.postgres.passwordFile == null
                        ? new char[0]
                        : Files.readString(store.postgres.passwordFile, StandardCharsets.UTF_8)
                                .strip()
                                .toCharArray();
                if (auditLog == null)
                    throw new ExitCodeException(
                            OneLineErrors.USAGE, "--postgres needs --audit-log FILE (or - for stderr)");
                s = or(() -> PostgresStore.open(store.postgres.url, store.postgres.user, password));
                Arrays.fill(password, '\0');
            } else {
                Path dir = store.dir == null ? Path.of("donjon-secrets") : store.dir;
                s = or(() -> EmbeddedStore.open(dir));
                if (auditLog == null) auditLog = dir.resolve("audit.jsonl").toString();
            }
            String logName = auditLog;
            audit = logName.equals("-")
                    ? AuditLog.to(System.err, "stderr")
                    : or(() -> AuditLog.append(Path.of(logName)));
            SecretBroker broker =
                    or(() -> new SecretBroker(s, key, stewardCas, audit, new BrokerMetrics(), Clock.systemUTC()));
            BrokerServer server;
            try {
                var tls = Pem.certificates(tlsCert);
                var tlsPrivate = Pem.privateKey(tlsKey);
                if (maxConnections < 1)
                    throw new ExitCodeException(OneLineErrors.USAGE, "--max-connections must be at least 1");
                server = or(() -> BrokerServer.start(new BrokerServer.Config(
                        broker,
                        token,
                        StewardCommand.Serve.address(listen),
                        StewardCommand.Serve.address(operatorListen),
                        tls,
                        tlsPrivate,
                        Limits.defaults().withMaxConnections(maxConnections),
                        adminListen == null
                                ? Optional.empty()
                                : Optional.of(StewardCommand.Serve.address(adminListen)))));
            } catch (IOException e) {
                throw new ExitCodeException(OneLineErrors.FAILURE, e.getMessage());
            }
            System.out.println("secrets: store " + s.describe() + ", audit log " + audit.where());
            System.out.println("secrets: Keeps on " + server.keepsUri() + ", operators on " + server.operatorUri()
                    + server.adminAddress()
                            .map(a -> ", health and metrics on http://" + a.getHostString() + ":" + a.getPort() + "/")
                            .orElse(""));
            System.out.flush();
            Serving.untilStopped(() -> {
                server.close();
                s.close();
                audit.close();
            });
            return 0;
        }
    }

    /** Where the operator commands find the broker. */
    static final class Client {
        @Option(
                names = "--broker",
                paramLabel = "URL",
                defaultValue = "${env:DONJON_SECRETS_BROKER:-https://127.0.0.1:8601/}",
                description = "The broker's operator listener. Default: ${DEFAULT-VALUE} (env DONJON_SECRETS_BROKER).")
        URI broker;

        @Option(
                names = "--ca-cert",
                paramLabel = "PEM",
                description = "Also trust these CA certificate(s) for the broker's HTTPS (env DONJON_SECRETS_CA).",
                defaultValue = "${env:DONJON_SECRETS_CA}")
        Path caCert;

        @Option(
                names = "--token-file",
                paramLabel = "FILE",
                defaultValue = "${env:DONJON_SECRETS_TOKEN_FILE}",
                description = "The operator token file (owner-only; env DONJON_SECRETS_TOKEN_FILE).")
        Path tokenFile;

        OperatorClient client() {
            if (tokenFile == null)
                throw new ExitCodeException(
                        OneLineErrors.USAGE,
                        "give the operator token: --token-file FILE (or DONJON_SECRETS_TOKEN_FILE)");
            String token = or(() -> OperatorToken.text(tokenFile));
            var anchors = caCert == null
                    ? Optional.<List<java.security.cert.X509Certificate>>empty()
                    : Optional.of(Tls.jdkAnchorsPlus(TrustAnchorFiles.read(caCert, "--ca-cert")));
            return new OperatorClient(broker, Tls.trusting(anchors), token);
        }
    }

    /** The secret's value: a file, or standard input (never a command-line argument: those are visible to every user). */
    static final class Value {
        @Option(names = "--value-file", paramLabel = "FILE", description = "Read the value from FILE.")
        Path file;

        @Option(names = "--value-stdin", description = "Read the value from standard input.")
        boolean stdin;

        byte[] read() throws IOException {
            if (stdin) return System.in.readNBytes(SecretBroker.MAX_VALUE_BYTES + 1);
            try {
                return Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                throw new ExitCodeException(OneLineErrors.FAILURE, file + ": no such file");
            }
        }
    }

    @Command(
            name = "put",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "Store a secret with its policy (or replace both): only Keeps whose certificate's claims match every constraint get it.",
                "A debug TEE never does. The policy must name the TEE(s) and the workload (--workload-digest, --module or --slug)."
            })
    static final class Put implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Value value;

        @Option(
                names = "--tee",
                required = true,
                paramLabel = "TEE",
                split = ",",
                description = "snp, sgx, tdx, or sim (simulated: proves nothing). Repeatable.")
        List<String> tees;

        @Option(
                names = "--workload-digest",
                paramLabel = "sha-256:HEX",
                description = "The workload module's digest (repeatable).")
        List<String> digests = new ArrayList<>();

        @Option(
                names = "--module",
                paramLabel = "FILE.wasm",
                description = "The workload module: its SHA-256 becomes a --workload-digest (repeatable).")
        List<Path> modules = new ArrayList<>();

        @Option(
                names = "--slug",
                paramLabel = "SLUG",
                description = "A registry package slug, e.g. reg.example/alice/app:1.0.0 (repeatable).")
        List<String> slugs = new ArrayList<>();

        @Option(
                names = "--measurement",
                paramLabel = "HEX",
                description = "The Keep runtime's launch measurement (repeatable). Default: any the Steward certified.")
        List<String> measurements = new ArrayList<>();

        @Option(
                names = "--tcb-status",
                paramLabel = "STATUS",
                description = "Intel TCB statuses accepted, e.g. UpToDate (repeatable).")
        List<String> tcb = new ArrayList<>();

        @Mixin
        Client client;

        @Override
        public Integer call() throws Exception {
            List<String> all = new ArrayList<>(digests);
            for (Path m : modules) {
                try {
                    all.add("sha-256:"
                            + HexFormat.of()
                                    .formatHex(
                                            MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(m))));
                } catch (NoSuchFileException e) {
                    throw new ExitCodeException(OneLineErrors.FAILURE, m + ": no such file");
                }
            }
            SecretPolicy policy;
            try {
                policy = SecretPolicy.of(tees, measurements, all, slugs, tcb);
            } catch (IllegalArgumentException e) {
                throw new ExitCodeException(OneLineErrors.USAGE, e.getMessage());
            }
            byte[] v = value.read();
            try {
                long version = or(() -> client.client().put(name, v, policy));
                System.out.println(name + ": version " + version + ", policy " + policy.toJson());
            } finally {
                Arrays.fill(v, (byte) 0);
            }
            return 0;
        }
    }

    @Command(
            name = "rotate",
            mixinStandardHelpOptions = true,
            description = "Give an existing secret a new value (same policy, next version).")
    static final class Rotate implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Value value;

        @Mixin
        Client client;

        @Override
        public Integer call() throws Exception {
            byte[] v = value.read();
            try {
                System.out.println(
                        name + ": version " + or(() -> client.client().rotate(name, v)));
            } finally {
                Arrays.fill(v, (byte) 0);
            }
            return 0;
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List the secrets: name, version, policy, dates (never a value).")
    static final class ListCmd implements Callable<Integer> {
        @Mixin
        Client client;

        @Override
        public Integer call() {
            for (OperatorClient.Listed l : or(() -> client.client().list())) {
                System.out.println(l.name() + "  version " + l.version() + "  updated " + l.updated() + "  policy "
                        + l.policy().toJson());
            }
            return 0;
        }
    }

    @Command(
            name = "delete",
            mixinStandardHelpOptions = true,
            description = "Delete a secret (Keeps asking for it get 404 from now on).")
    static final class Delete implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Mixin
        Client client;

        @Override
        public Integer call() {
            if (!or(() -> client.client().delete(name)))
                throw new ExitCodeException(OneLineErrors.FAILURE, "no secret named '" + name + "'");
            System.out.println(name + ": deleted");
            return 0;
        }
    }

    @Command(
            name = "keygen",
            mixinStandardHelpOptions = true,
            description = "Make a new master key file (32 random bytes, base64, mode 0600). Never overwrites.")
    static final class Keygen implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() {
            or(() -> {
                MasterKey.generate(file);
                return null;
            });
            System.out.println("wrote a new master key to " + file
                    + " (keep a backup: without it the stored secrets cannot be opened)");
            return 0;
        }
    }

    @Command(
            name = "token",
            mixinStandardHelpOptions = true,
            description = "Make a new operator token file (mode 0600). Never overwrites.")
    static final class Token implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() {
            or(() -> {
                OperatorToken.generate(file);
                return null;
            });
            System.out.println("wrote a new operator token to " + file);
            return 0;
        }
    }
}
