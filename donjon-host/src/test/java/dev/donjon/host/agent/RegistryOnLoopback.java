package dev.donjon.host.agent;

import dev.donjon.common.Tls;
import dev.donjon.drawbridge.DrawbridgeClient;
import dev.donjon.drawbridge.PackageTree;
import dev.donjon.drawbridge.RegistryServer;
import dev.donjon.drawbridge.RegistryStore;
import dev.donjon.server.Authenticator;
import dev.donjon.server.TokenFile;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * An in-process Drawbridge registry over TLS 1.3 on a free loopback port with a temporary store, a token for the
 * publisher "alice", and client certificates accepted when chained to {@code keepCa} (the Steward's CA).
 */
final class RegistryOnLoopback implements AutoCloseable {
    static final String ALICE_TOKEN = "alice-token-0123456789";

    final X509Certificate tlsCa;
    final Path storeDir;
    final RegistryServer server;
    private final KeyPair tlsCaKeys;

    RegistryOnLoopback(Path dir, X509Certificate keepCa) throws Exception {
        tlsCaKeys = ecKeys();
        tlsCa = certificate("CN=Test Registry CA", tlsCaKeys, "CN=Test Registry CA", tlsCaKeys, true);
        KeyPair serverKeys = ecKeys();
        X509Certificate serverCert = certificate("CN=localhost", serverKeys, "CN=Test Registry CA", tlsCaKeys, false);
        storeDir = dir.resolve("store");
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, ALICE_TOKEN + " alice-subject manage\n");
        SSLContext tls = Tls.context(serverKeys.getPrivate(), List.of(serverCert, tlsCa), Tls.anchors(List.of(keepCa)));
        server = RegistryServer.start(new RegistryServer.Config(
                new RegistryStore(storeDir, 256L << 20),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Optional.of(tls),
                true,
                new Authenticator(Optional.of(TokenFile.load(tokens)), Optional.empty(), true)));
        DrawbridgeClient alice = publisher();
        alice.registerUser("alice", "alice-subject");
    }

    DrawbridgeClient publisher() {
        return new DrawbridgeClient(
                server.baseUri(), Tls.trusting(Tls.anchors(List.of(tlsCa))), Optional.of(ALICE_TOKEN));
    }

    /** Publishes a directory as {@code alice/REPO:TAG} and returns its slug with this registry as host. */
    String publish(String repo, boolean isPublic, String tag, Path packageDir) throws IOException {
        return publish(repo, isPublic, tag, packageDir, Optional.empty());
    }

    /** As above, the tag signed with {@code signer} when present. */
    String publish(String repo, boolean isPublic, String tag, Path packageDir, Optional<ECPrivateKey> signer)
            throws IOException {
        DrawbridgeClient alice = publisher();
        alice.registerRepository("alice", repo, isPublic);
        alice.publish("alice", repo, tag, PackageTree.read(packageDir), signer);
        return server.address().getAddress().getHostAddress() + ":"
                + server.address().getPort() + "/alice/" + repo + ":" + tag;
    }

    static KeyPair ecKeys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    static X509Certificate certificate(String subject, KeyPair keys, String issuer, KeyPair issuerKeys, boolean ca)
            throws Exception {
        Instant now = Instant.now();
        var b = new JcaX509v3CertificateBuilder(
                new X500Name(issuer),
                BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(1, ChronoUnit.HOURS)),
                Date.from(now.plus(1, ChronoUnit.DAYS)),
                new X500Name(subject),
                keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (!ca)
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(
                        GeneralName.iPAddress, InetAddress.getLoopbackAddress().getHostAddress()),
                new GeneralName(GeneralName.dNSName, "localhost")
            }));
        return new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    }

    @Override
    public void close() {
        server.close();
    }
}
