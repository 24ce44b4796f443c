package dev.donjon.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.common.Tls;
import dev.donjon.drawbridge.DrawbridgeClient;
import dev.donjon.drawbridge.PackageFetcher;
import dev.donjon.drawbridge.PackageTree;
import dev.donjon.drawbridge.RegistryException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code donjon drawbridge serve} as a user starts it: PEM files, TLS, a Steward CA for Keeps, a token file. */
class DrawbridgeServeTest {
    @TempDir
    Path dir;

    record Issued(KeyPair keys, X509Certificate cert) {}

    static Issued issue(String subject, Issued ca, boolean isCa) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair k = g.generateKeyPair();
        long now = System.currentTimeMillis();
        var b = new JcaX509v3CertificateBuilder(
                new X500Name("CN="
                        + (ca == null
                                ? subject
                                : ca.cert().getSubjectX500Principal().getName().substring(3))),
                BigInteger.valueOf(now),
                new Date(now - 60_000),
                new Date(now + 86_400_000L),
                new X500Name("CN=" + subject),
                k.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (!isCa)
            b.addExtension(
                    Extension.subjectAlternativeName,
                    false,
                    new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
        var signer = new JcaContentSignerBuilder("SHA256withECDSA")
                .build(ca == null ? k.getPrivate() : ca.keys().getPrivate());
        return new Issued(k, new JcaX509CertificateConverter().getCertificate(b.build(signer)));
    }

    static void pem(Path file, Object... objects) throws Exception {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            for (Object o : objects) w.writeObject(o);
        }
        Files.writeString(file, sw.toString());
    }

    @Test
    void servesOverTlsAndReleasesPrivateWorkloadsToStewardCertifiedKeeps() throws Exception {
        Issued tlsCa = issue("Registry CA", null, true);
        Issued server = issue("registry", tlsCa, false);
        Issued steward = issue("Steward CA", null, true);
        Issued keep = issue("keep", steward, false);
        pem(dir.resolve("server.pem"), server.cert(), tlsCa.cert());
        // PKCS#8, as openssl genpkey writes it
        Files.writeString(
                dir.resolve("server.key"),
                "-----BEGIN PRIVATE KEY-----\n"
                        + java.util.Base64.getMimeEncoder(64, "\n".getBytes())
                                .encodeToString(server.keys().getPrivate().getEncoded())
                        + "\n-----END PRIVATE KEY-----\n");
        pem(dir.resolve("steward.pem"), steward.cert());
        Files.writeString(dir.resolve("tokens"), "serve-test-token-0123456789 owner-sub manage\n");

        // the server prints its URL once listening
        try (Served served = Served.start(
                "drawbridge: serving ",
                "drawbridge",
                "serve",
                "--store",
                dir.resolve("store").toString(),
                "--listen",
                "127.0.0.1:0",
                "--tls-cert",
                dir.resolve("server.pem").toString(),
                "--tls-key",
                dir.resolve("server.key").toString(),
                "--client-ca",
                dir.resolve("steward.pem").toString(),
                "--tokens",
                dir.resolve("tokens").toString())) {
            String line = served.line();
            assertTrue(line != null, "serve did not start: " + served.err());
            URI base = URI.create(line.substring(line.indexOf("https://"), line.indexOf("/api/")));
            var anonTls = Tls.trusting(Tls.anchors(List.of(tlsCa.cert())));
            var owner = new DrawbridgeClient(base, anonTls, Optional.of("serve-test-token-0123456789"));
            owner.registerUser("owner", "owner-sub");
            owner.registerRepository("owner", "app", false);
            Path example = Path.of(System.getProperty("donjon.shared", "../../shared"), "wasm", "wasm_example");
            owner.publish("owner", "app", "1.0.0", PackageTree.read(example), Optional.empty());

            var anonymous = new PackageFetcher(anonTls, Optional.empty(), Optional.empty(), Optional.of(base));
            assertEquals(
                    404,
                    assertThrows(RegistryException.class, () -> anonymous.fetch("owner/app:1.0.0"))
                            .status()); // private: as if missing
            var keepTls = Tls.context(
                    keep.keys().getPrivate(), List.of(keep.cert(), steward.cert()), Tls.anchors(List.of(tlsCa.cert())));
            var attested = new PackageFetcher(keepTls, Optional.empty(), Optional.empty(), Optional.of(base));
            assertArrayEquals(
                    Files.readAllBytes(example.resolve("main.wasm")),
                    attested.fetch("owner/app:1.0.0").wasm());
        }
    }
}
