package dev.donjon.secrets;

import dev.donjon.abi.csr.ClaimsExtension;
import dev.donjon.abi.csr.WorkloadIdentity;
import dev.donjon.common.Tls;
import dev.donjon.steward.CertificateAuthority;
import dev.donjon.testing.LocalhostTls;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;

/** Steward CAs and the client identities they issue to (pretend) Keeps, as the broker's tests need them. */
final class TestKeeps {

    static final byte[] MODULE = "the module's bytes".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    static final String MEASUREMENT = "ab".repeat(48);

    private TestKeeps() {}

    static String digestOf(byte[] module) {
        try {
            return "sha-256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(module));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Claims of a sim Keep running {@code module}, as the Steward would certify them. */
    static ClaimsExtension claims(String tee, byte[] module, boolean debug) {
        try {
            WorkloadIdentity w = new WorkloadIdentity(
                    Optional.empty(),
                    Optional.of(new WorkloadIdentity.Digest(
                            "sha-256", MessageDigest.getInstance("SHA-256").digest(module))));
            return new ClaimsExtension(
                    tee,
                    HexFormat.of().parseHex(MEASUREMENT),
                    debug,
                    Optional.empty(),
                    Optional.empty(),
                    List.of(),
                    Optional.of(w));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A Keep's key with the chain {@code ca} issued it (leaf, CA), valid from {@code from} for {@code validity}. */
    record Identity(KeyPair key, List<X509Certificate> chain) {
        SSLContext client(X509Certificate brokerCert) throws Exception {
            return Tls.context(key.getPrivate(), chain, Optional.of(List.of(brokerCert)));
        }
    }

    /** A Keep's key: EC P-384, as a sim or SNP Keep makes it. */
    static KeyPair newKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        return g.generateKeyPair();
    }

    static Identity issued(CertificateAuthority ca, ClaimsExtension claims, Instant from, Duration validity)
            throws Exception {
        KeyPair key = newKey();
        var holder = ca.issue(
                SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded()),
                claims,
                List.of("localhost"),
                from,
                validity);
        X509Certificate leaf = new JcaX509CertificateConverter().getCertificate(holder);
        return new Identity(key, List.of(leaf, ca.certificate()));
    }

    /** A client that presents no certificate and trusts only the broker. */
    static SSLContext anonymous(X509Certificate brokerCert) {
        return Tls.trusting(Optional.of(List.of(brokerCert)));
    }

    /** A CA under another name than the generated one, as another organisation's Steward would have. */
    static CertificateAuthority otherCa(java.nio.file.Path dir) throws Exception {
        KeyPair kp = newKey();
        var name = new org.bouncycastle.asn1.x500.X500Name("CN=Someone Else's Steward CA");
        var b = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(
                name,
                java.math.BigInteger.TEN,
                java.util.Date.from(Instant.now().minusSeconds(3600)),
                java.util.Date.from(Instant.now().plus(Duration.ofDays(30))),
                name,
                kp.getPublic());
        b.addExtension(
                org.bouncycastle.asn1.x509.Extension.basicConstraints,
                true,
                new org.bouncycastle.asn1.x509.BasicConstraints(0));
        b.addExtension(
                org.bouncycastle.asn1.x509.Extension.keyUsage,
                true,
                new org.bouncycastle.asn1.x509.KeyUsage(org.bouncycastle.asn1.x509.KeyUsage.keyCertSign));
        X509Certificate cert = new JcaX509CertificateConverter()
                .getCertificate(b.build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA384withECDSA")
                        .build(kp.getPrivate())));
        java.util.Base64.Encoder mime = java.util.Base64.getMimeEncoder(64, "\n".getBytes());
        var certFile = java.nio.file.Files.writeString(
                dir.resolve("other-ca.pem"),
                "-----BEGIN CERTIFICATE-----\n" + mime.encodeToString(cert.getEncoded())
                        + "\n-----END CERTIFICATE-----\n");
        var keyFile = java.nio.file.Files.writeString(
                dir.resolve("other-ca.key"),
                "-----BEGIN PRIVATE KEY-----\n"
                        + mime.encodeToString(kp.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        return CertificateAuthority.load(certFile, keyFile);
    }

    /** The broker's own HTTPS identity: a self-signed localhost certificate. */
    static Identity brokerIdentity() {
        LocalhostTls tls = LocalhostTls.create();
        return new Identity(tls.key(), List.of(tls.certificate()));
    }
}
