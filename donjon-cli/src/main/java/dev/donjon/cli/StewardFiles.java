package dev.donjon.cli;

import dev.donjon.common.OwnerOnlyFiles;
import dev.donjon.common.Pem;
import dev.donjon.platform.PlatformSettings;
import dev.donjon.platform.identity.SelfSignedIdentity;
import dev.donjon.platform.sim.RuntimeMeasurement;
import dev.donjon.platform.sim.SimPlatform;
import dev.donjon.steward.CertificateAuthority;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** The files {@code donjon steward init} writes into one directory; private keys are created 0600, the directory 0700. */
final class StewardFiles {
    private final Path dir;
    private final List<String> written = new ArrayList<>();

    StewardFiles(Path dir) {
        this.dir = dir;
    }

    Path caCert() {
        return dir.resolve("ca.pem");
    }

    Path caKey() {
        return dir.resolve("ca.key");
    }

    Path tlsCert() {
        return dir.resolve("tls.pem");
    }

    Path tlsKey() {
        return dir.resolve("tls.key");
    }

    Path policy() {
        return dir.resolve("policy.toml");
    }

    Path simChain() {
        return dir.resolve("sim-chain.pem");
    }

    String written() {
        return String.join(", ", written);
    }

    /** All or nothing: a Steward's CA key must never be replaced by accident (every Keep certificate chains to it). */
    void refuseExisting(boolean sim) {
        List<Path> files = new ArrayList<>(List.of(caCert(), caKey(), tlsCert(), tlsKey()));
        if (sim) files.addAll(List.of(policy(), simChain()));
        List<String> present =
                files.stream().filter(Files::exists).map(Path::toString).toList();
        if (!present.isEmpty()) {
            throw new ExitCodeException(
                    OneLineErrors.FAILURE,
                    "not overwriting " + String.join(", ", present)
                            + " (steward init never replaces a file; remove them or choose another directory)");
        }
        try {
            OwnerOnlyFiles.createDirectories(dir);
        } catch (IOException e) {
            throw new ExitCodeException(
                    OneLineErrors.FAILURE, "cannot create the directory " + dir + ": " + OneLineErrors.describe(e));
        }
    }

    void writeCa(CertificateAuthority ca) throws IOException {
        publicFile(caCert(), ca.certificatePem());
        privateFile(caKey(), ca.privateKeyPem());
    }

    /** A self-signed certificate for localhost, 127.0.0.1 and ::1 (P-256, one year), for the Steward's HTTPS. */
    void writeTls(Instant now) throws Exception {
        KeyPair keys = NewKeys.p256();
        publicFile(
                tlsCert(),
                Pem.encode(
                        "CERTIFICATE",
                        List.of(SelfSignedIdentity.localhost(keys, Clock.fixed(now, ZoneOffset.UTC))
                                .getEncoded())));
        privateFile(
                tlsKey(), Pem.encode("PRIVATE KEY", List.of(keys.getPrivate().getEncoded())));
    }

    /** A [sim] policy pinning this build's runtime measurement, with this user's sim chain beside it. */
    void writeSimPolicy() throws Exception {
        SimPlatform sim = new SimPlatform(
                PlatformSettings.fromEnvironment(System.getenv()).sim(), Clock.systemUTC());
        publicFile(simChain(), new String(sim.authority().chainPem(), StandardCharsets.US_ASCII));
        // what a sim Keep of this build reports (SimPlatform measures the same class path)
        String measurement = HexFormat.of().formatHex(RuntimeMeasurement.ofThisProcess(sim.directory()));
        publicFile(policy(), """
                # Written by `donjon steward init --sim`: accepts SIMULATED Keeps (the sim backend: no hardware TEE, proves
                # nothing) whose runtime is this build of Donjon. For real Keeps, add [snp], [sgx] or [tdx] sections
                # (donjon-steward/README.md) and remove [sim].
                [sim]
                chain = "sim-chain.pem"   # the sim ASK + ARK of %s
                hash = ["%s"]
                """.formatted(sim.directory(), measurement));
    }

    private void publicFile(Path p, String text) throws IOException {
        Files.writeString(p, text, StandardCharsets.US_ASCII, java.nio.file.StandardOpenOption.CREATE_NEW);
        written.add(p.toString());
    }

    private void privateFile(Path p, String text) throws IOException {
        OwnerOnlyFiles.write(p, text.getBytes(StandardCharsets.US_ASCII));
        written.add(p.toString());
    }
}
