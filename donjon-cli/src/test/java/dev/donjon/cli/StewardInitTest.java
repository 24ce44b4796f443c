package dev.donjon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.common.Pem;
import dev.donjon.common.Tls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code donjon steward init}: the CA and TLS material a Steward needs, then served over HTTPS as the README shows. */
class StewardInitTest {

    @TempDir
    Path dir;

    @Test
    void makesACaAndTlsMaterialThatServeUsesOverHttps() throws Exception {
        Path steward = dir.resolve("steward");
        var init = RegistryCommandsTest.run("steward", "init", steward.toString(), "--sim");
        assertEquals(0, init.code(), init.err());
        for (String f : List.of("ca.pem", "ca.key", "tls.pem", "tls.key", "policy.toml", "sim-chain.pem")) {
            assertTrue(Files.isRegularFile(steward.resolve(f)), f + " missing: " + init.out());
        }
        assertEquals(
                "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(steward.resolve("ca.key"))));
        assertEquals(
                "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(steward.resolve("tls.key"))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(steward)));
        assertTrue(init.out().contains("donjon steward serve --policy " + steward.resolve("policy.toml")), init.out());

        // never overwrites: the CA key is what every Keep certificate chains to
        byte[] key = Files.readAllBytes(steward.resolve("ca.key"));
        var again = RegistryCommandsTest.run("steward", "init", steward.toString());
        assertEquals(1, again.code());
        assertTrue(again.err().contains("not overwriting") && again.err().contains("ca.key"), again.err());
        assertEquals(1, again.err().strip().lines().count(), again.err());
        assertTrue(java.util.Arrays.equals(key, Files.readAllBytes(steward.resolve("ca.key"))));

        try (Served served = Served.start(
                "steward: serving on ",
                "steward",
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--policy",
                steward.resolve("policy.toml").toString(),
                "--ca-cert",
                steward.resolve("ca.pem").toString(),
                "--ca-key",
                steward.resolve("ca.key").toString(),
                "--tls-cert",
                steward.resolve("tls.pem").toString(),
                "--tls-key",
                steward.resolve("tls.key").toString(),
                "--crypto",
                "java")) {
            assertTrue(served.line() != null, "serve did not start: " + served.err());
            URI base = URI.create(
                    served.line().substring("steward: serving on ".length()).split(" ")[0]);
            assertTrue(base.getScheme().equals("https"), base.toString());
            // a client that trusts tls.pem alone reaches it (host name 127.0.0.1 checked) and gets ca.pem back
            HttpClient client = HttpClient.newBuilder()
                    .sslContext(Tls.trusting(Optional.of(Pem.certificates(steward.resolve("tls.pem")))))
                    .build();
            HttpResponse<String> ca = client.send(
                    HttpRequest.newBuilder(base.resolve("/ca.pem")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ca.statusCode());
            assertEquals(Files.readString(steward.resolve("ca.pem")), ca.body());
            X509Certificate caCert = Pem.certificates(steward.resolve("ca.pem")).getFirst();
            assertTrue(caCert.getBasicConstraints() >= 0, "ca.pem is a CA");
        }
    }
}
