package dev.donjon.platform.identity;

import dev.donjon.abi.csr.KeepCsr;
import dev.donjon.platform.PlatformException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * What a Keep without a Steward presents, as Enarx: a self-signed {@code CN=localhost} certificate for its own key,
 * valid one year, EKU serverAuth + clientAuth (SANs localhost, 127.0.0.1 and ::1 so hostname checks on loopback pass).
 * It proves nothing; a client must trust it explicitly.
 */
public final class SelfSignedIdentity {

    public static final Duration VALIDITY = Duration.ofDays(365);

    private SelfSignedIdentity() {}

    public static X509Certificate localhost(KeyPair keys, Clock clock) throws PlatformException {
        Instant from =
                clock.instant().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(5)); // tolerate clock skew
        X500Name name = new X500Name("CN=localhost");
        BigInteger serial = new BigInteger(127, new SecureRandom()).add(BigInteger.ONE);
        try {
            var b = new JcaX509v3CertificateBuilder(
                            name, serial, Date.from(from), Date.from(from.plus(VALIDITY)), name, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
                        KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                    }))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                        new GeneralName(GeneralName.iPAddress, "::1")
                    }));
            String algorithm = KeepCsr.signatureAlgorithm(keys.getPublic());
            return new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder(algorithm).build(keys.getPrivate())));
        } catch (CertIOException | OperatorCreationException | GeneralSecurityException e) {
            throw new PlatformException("cannot make the self-signed localhost certificate: " + e.getMessage(), e);
        }
    }
}
