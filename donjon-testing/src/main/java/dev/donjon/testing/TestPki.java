package dev.donjon.testing;

import dev.donjon.common.Tls;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Test certificate authorities and the certificates they issue (EC P-256, valid from an hour ago for a day), and PEM
 * files of them for services started as processes or containers.
 */
public final class TestPki {
    private static final AtomicLong SERIAL = new AtomicLong(1);

    private TestPki() {}

    /** A key pair and its certificate; {@code chain} is leaf first, up to the CA. */
    public record Issued(KeyPair keys, X509Certificate cert, List<X509Certificate> chain) {
        /** Writes the chain to {@code certFile} and the private key (PKCS#8) to {@code keyFile}. */
        public void write(Path certFile, Path keyFile) throws IOException {
            writePem(certFile, chain.toArray());
            writePem(keyFile, new JcaPKCS8Generator(keys.getPrivate(), null)); // PKCS#8, as every service reads
        }

        /** A client presenting this certificate and trusting {@code trustAnchor} only. */
        public SSLContext clientContext(X509Certificate trustAnchor) {
            return Tls.context(keys.getPrivate(), chain, Tls.anchors(List.of(trustAnchor)));
        }
    }

    public static KeyPair ecKeys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Issued ca(String name) {
        KeyPair k = ecKeys();
        X509Certificate c = build(name, k, "CN=" + name, k, true, List.of());
        return new Issued(k, c, List.of(c));
    }

    /**
     * A server certificate for {@code names}: each an IP address (as a literal) or a DNS name; the loopback address
     * and "localhost" are always included.
     */
    public static Issued server(Issued ca, String subject, List<String> names) {
        return issue(ca, subject, serverNames(names));
    }

    private static List<GeneralName> serverNames(List<String> names) {
        List<GeneralName> sans = new ArrayList<>(List.of(
                new GeneralName(
                        GeneralName.iPAddress, InetAddress.getLoopbackAddress().getHostAddress()),
                new GeneralName(GeneralName.dNSName, "localhost")));
        for (String n : names)
            sans.add(
                    n.matches("[0-9.]+|.*:.*")
                            ? new GeneralName(GeneralName.iPAddress, n)
                            : new GeneralName(GeneralName.dNSName, n));
        return sans;
    }

    /** A self-signed server certificate (not a CA) for {@code names}, loopback and "localhost" always included. */
    public static Issued selfSigned(String subject, List<String> names) {
        KeyPair k = ecKeys();
        X509Certificate c = build(subject, k, "CN=" + subject, k, false, serverNames(names));
        return new Issued(k, c, List.of(c));
    }

    /** A client certificate (no names). */
    public static Issued client(Issued ca, String subject) {
        return issue(ca, subject, List.of());
    }

    private static Issued issue(Issued ca, String subject, List<GeneralName> sans) {
        KeyPair k = ecKeys();
        X509Certificate c =
                build(subject, k, ca.cert().getSubjectX500Principal().getName(), ca.keys(), false, sans);
        return new Issued(k, c, List.of(c, ca.cert()));
    }

    private static X509Certificate build(
            String subject,
            KeyPair subjectKeys,
            String issuer,
            KeyPair issuerKeys,
            boolean ca,
            List<GeneralName> sans) {
        try {
            Instant now = Instant.now();
            var b = new JcaX509v3CertificateBuilder(
                    new X500Name(issuer),
                    BigInteger.valueOf(SERIAL.getAndIncrement()),
                    Date.from(now.minus(1, ChronoUnit.HOURS)),
                    Date.from(now.plus(1, ChronoUnit.DAYS)),
                    new X500Name("CN=" + subject),
                    subjectKeys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            b.addExtension(
                    Extension.keyUsage,
                    true,
                    new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
            if (!sans.isEmpty())
                b.addExtension(
                        Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
            var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** PEM of certificates, keys... (anything BouncyCastle's PEM writer takes), in order. */
    public static void writePem(Path file, Object... objects) throws IOException {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            for (Object o : objects) w.writeObject(o);
        }
        Files.writeString(file, sw.toString());
    }
}
