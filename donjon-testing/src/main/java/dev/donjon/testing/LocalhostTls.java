package dev.donjon.testing;

import dev.donjon.common.Tls;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
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
 * A test server's HTTPS identity: an EC P-256 key and a self-signed {@code CN=localhost} certificate (SANs localhost,
 * 127.0.0.1), valid from an hour ago for a day. Clients trust it explicitly, never through the JDK's anchors.
 */
public record LocalhostTls(KeyPair key, X509Certificate certificate) {

    public static LocalhostTls create() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair key = g.generateKeyPair();
            X500Name name = new X500Name("CN=localhost");
            Instant now = Instant.now();
            var b = new JcaX509v3CertificateBuilder(name, new BigInteger(64, new SecureRandom()).add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), name, key.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                            new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
            return new LocalhostTls(key, cert);
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a localhost test certificate", e);
        }
    }

    /** The server's context: presents the certificate. */
    public SSLContext server() {
        return Tls.context(key.getPrivate(), List.of(certificate), Optional.of(List.of(certificate)));
    }

    /** A client context without a certificate of its own that trusts only this server. */
    public SSLContext client() {
        return Tls.trusting(Optional.of(List.of(certificate)));
    }
}
