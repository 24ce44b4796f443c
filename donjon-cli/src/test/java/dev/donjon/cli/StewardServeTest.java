package dev.donjon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code donjon steward serve} as a user starts it, with the Enarx steward vectors and the clock pinned. */
class StewardServeTest {
    static final Path STEWARD =
            Path.of(System.getProperty("donjon.shared", "../../shared"), "vectors", "enarx", "steward");

    @TempDir
    Path dir;

    @Test
    void servesTheRealSnpKeepWithThePinnedClock() throws Exception {
        try (Served served = Served.start(
                "steward: serving on ",
                "steward",
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--policy",
                STEWARD.resolve("steward.toml").toString(),
                "--insecure-generated-ca",
                "--now",
                "2023-01-15T00:00:00Z",
                "--validity",
                "7d")) {
            String line = served.line();
            assertTrue(line != null, "serve did not start: " + served.err());
            assertTrue(served.err().contains("DEBUG MODE"), served.err());
            URI base =
                    URI.create(line.substring("steward: serving on ".length()).split(" ")[0]);
            var client = HttpClient.newHttpClient();
            var r = client.send(
                    HttpRequest.newBuilder(base)
                            .header("Content-Type", "application/pkcs10")
                            .POST(HttpRequest.BodyPublishers.ofFile(STEWARD.resolve("milan.signed.crl.csr")))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode(), new String(r.body()));
            var chain = org.bouncycastle.asn1.ASN1Sequence.getInstance(r.body());
            var cert = new org.bouncycastle.cert.X509CertificateHolder(
                    chain.getObjectAt(1).toASN1Primitive().getEncoded());
            assertEquals(
                    java.time.Instant.parse("2023-01-22T00:00:00Z"),
                    cert.getNotAfter().toInstant());
            var flipped = client.send(
                    HttpRequest.newBuilder(base)
                            .header("Content-Type", "application/pkcs10")
                            .POST(HttpRequest.BodyPublishers.ofFile(STEWARD.resolve("milan.signed.crl-flip3554.csr")))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(400, flipped.statusCode(), flipped.body());
        }
    }

    @Test
    void badInputIsOneLineAndNonZero() throws Exception {
        Path policy = dir.resolve("policy.toml");
        Files.writeString(policy, "[snp]\nhash = [\"00\"]\n");
        var err = new ByteArrayOutputStream();
        PrintStream oldErr = System.err;
        System.setErr(new PrintStream(err, true));
        int noCa, badPolicy, badValidity;
        try {
            noCa = Donjon.execute("steward", "serve", "--policy", policy.toString());
            badPolicy = Donjon.execute(
                    "steward",
                    "serve",
                    "--policy",
                    policy.toString(),
                    "--insecure-generated-ca",
                    "--listen",
                    "127.0.0.1:0");
            badValidity = Donjon.execute(
                    "steward", "serve", "--policy", policy.toString(), "--insecure-generated-ca", "--validity", "soon");
        } finally {
            System.setErr(oldErr);
        }
        assertEquals(OneLineErrors.USAGE, noCa);
        assertEquals(OneLineErrors.FAILURE, badPolicy);
        assertEquals(OneLineErrors.USAGE, badValidity);
        String text = err.toString();
        assertTrue(text.contains("snp.hash: expected 48 bytes of hex"), text);
        assertTrue(text.contains("--validity: 'soon' is not a duration"), text);
        assertTrue(!text.contains("\tat "), "no stack trace: " + text);
    }
}
