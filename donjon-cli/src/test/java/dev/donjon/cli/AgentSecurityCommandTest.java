package dev.donjon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.host.agent.AgentSecurity;
import dev.donjon.host.agent.HostAgent;
import dev.donjon.server.Authenticator;
import dev.donjon.server.ServerTls;
import dev.donjon.server.TokenFile;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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

/** {@code donjon host serve} refuses to run unauthenticated unless told to; {@code donjon deploy} brings its credentials. */
class AgentSecurityCommandTest {
    private static final Path ROOT =
            Path.of(System.getProperty("donjon.root", "..")).toAbsolutePath().normalize();

    @Test
    void hostServeNeedsTlsAndClientAuthenticationOrTheExplicitInsecureFlag() {
        var plain = RegistryCommandsTest.run("host", "serve", "--backend", "nil", "--listen", "127.0.0.1:0");
        assertEquals(2, plain.code());
        assertEquals(
                "donjon: the agent serves TLS: give --tls-cert and --tls-key (or --insecure-plain-http for local development)",
                plain.err().strip());
        var mixed = RegistryCommandsTest.run(
                "host",
                "serve",
                "--backend",
                "nil",
                "--listen",
                "127.0.0.1:0",
                "--insecure-plain-http",
                "--tokens",
                "t");
        assertEquals(2, mixed.code());
        assertTrue(mixed.err().contains("--insecure-plain-http takes no"), mixed.err());
    }

    @Test
    void deployBringsTheAgentsCaAndAToken(@TempDir Path dir) throws Exception {
        KeyPair caKeys = keys(), serverKeys = keys();
        X509Certificate ca = cert("CN=Agent CA", caKeys, "CN=Agent CA", caKeys, true);
        X509Certificate server = cert("CN=agent", serverKeys, "CN=Agent CA", caKeys, false);
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "owner-token-0123456789 owner keeps\n");
        ServerTls tls =
                ServerTls.of(List.of(server, ca), serverKeys.getPrivate(), Optional.empty(), ServerTls.ClientAuth.NONE);
        AgentSecurity security =
                AgentSecurity.of(tls, new Authenticator(Optional.of(TokenFile.load(tokens)), Optional.empty(), false));
        try (HostAgent agent = HostAgent.start(
                HostAgent.Config.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "nil")
                        .withSecurity(security))) {
            Path caPem = dir.resolve("agent-ca.pem");
            StringWriter w = new StringWriter();
            try (JcaPEMWriter pem = new JcaPEMWriter(w)) {
                pem.writeObject(ca);
            }
            Files.writeString(caPem, w.toString());
            Path token = dir.resolve("token");
            Files.writeString(token, "owner-token-0123456789\n");
            String hello = ROOT.resolve("examples/hello/hello.wasm").toString();
            String host = agent.baseUri().toString();

            var ok = RegistryCommandsTest.run(
                    "deploy",
                    "--host",
                    host,
                    "--agent-ca",
                    caPem.toString(),
                    "--agent-token-file",
                    token.toString(),
                    "--allow-insecure-backend",
                    hello);
            assertEquals(0, ok.code(), ok.err());
            assertEquals("Hello, world!\n", ok.out());

            var noToken = RegistryCommandsTest.run(
                    "deploy", "--host", host, "--agent-ca", caPem.toString(), "--allow-insecure-backend", hello);
            assertEquals(1, noToken.code());
            assertTrue(
                    noToken.err().strip().lines().count() == 1
                            && noToken.err().contains("(HTTP 401)")
                            && noToken.err().contains("--agent-token-file"),
                    noToken.err());

            var untrusted = RegistryCommandsTest.run(
                    "deploy",
                    "--host",
                    host,
                    "--agent-token-file",
                    token.toString(),
                    "--allow-insecure-backend",
                    hello);
            assertEquals(1, untrusted.code());
            assertTrue(
                    untrusted.err().strip().lines().count() == 1
                            && untrusted.err().contains("--agent-ca"),
                    untrusted.err());

            var missing = RegistryCommandsTest.run(
                    "deploy",
                    "--host",
                    host,
                    "--agent-ca",
                    dir.resolve("nope.pem").toString(),
                    hello);
            assertEquals(2, missing.code());
            assertTrue(missing.err().contains("--agent-ca") && missing.err().contains("no such file"), missing.err());
        }
    }

    private static KeyPair keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate cert(String subject, KeyPair keys, String issuer, KeyPair issuerKeys, boolean isCa)
            throws Exception {
        Instant now = Instant.now();
        var b = new JcaX509v3CertificateBuilder(
                new X500Name(issuer),
                BigInteger.valueOf(System.nanoTime()),
                Date.from(now.minus(1, ChronoUnit.HOURS)),
                Date.from(now.plus(1, ChronoUnit.DAYS)),
                new X500Name(subject),
                keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (!isCa)
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(
                        GeneralName.iPAddress, InetAddress.getLoopbackAddress().getHostAddress())
            }));
        return new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    }
}
