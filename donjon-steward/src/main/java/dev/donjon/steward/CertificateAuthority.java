package dev.donjon.steward;

import dev.donjon.abi.csr.ClaimsExtension;
import dev.donjon.abi.csr.EvidenceOids;
import dev.donjon.attestation.crypto.SignatureProviders;
import dev.donjon.common.OneLine;
import dev.donjon.common.Pem;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.BERTags;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The Steward's issuing CA: a key and certificate given as PEM files, or, for development only, a throwaway
 * self-signed CA generated at start ({@link #generated()} is then true and the Steward says so loudly).
 */
public final class CertificateAuthority {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final JcaX509CertificateConverter CONVERTER = new JcaX509CertificateConverter();

    private final PrivateKey key;
    private final X509Certificate certificate;
    private final boolean generated;
    private final String signatureAlgorithm;
    private final org.bouncycastle.asn1.x509.AuthorityKeyIdentifier authorityKeyId;
    private final X509CertificateHolder certificateHolder;
    private final X500Name issuerName;
    /** The key as the signing provider's own object: handing it a foreign key makes it convert the key at every signature. */
    private volatile ProviderKey providerKey;

    private record ProviderKey(java.security.Provider provider, PrivateKey key) {}

    private CertificateAuthority(PrivateKey key, X509Certificate certificate, boolean generated) {
        this.key = key;
        this.certificate = certificate;
        this.generated = generated;
        this.signatureAlgorithm = signatureAlgorithm(key);
        try {
            this.authorityKeyId = new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(certificate.getPublicKey());
            this.certificateHolder = new X509CertificateHolder(certificate.getEncoded());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot read the CA certificate: " + OneLine.of(e), e);
        }
        this.issuerName = certificateHolder.getSubject();
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** The same certificate, as BouncyCastle holds it (its exact DER). */
    public X509CertificateHolder certificateHolder() {
        return certificateHolder;
    }

    public PrivateKey privateKey() {
        return key;
    }

    /** True for a generated throwaway CA: the Steward is in debug mode and its certificates mean nothing to others. */
    public boolean generated() {
        return generated;
    }

    public String signatureAlgorithm() {
        return signatureAlgorithm;
    }

    /** Loads a CA certificate (first PEM certificate of the file) and its private key (PKCS#8 or SEC1 PEM, unencrypted). */
    public static CertificateAuthority load(Path certPem, Path keyPem) throws IOException {
        X509Certificate cert = firstCertificate(certPem);
        PrivateKey key = privateKey(keyPem);
        if (cert.getBasicConstraints() < 0)
            throw new IOException(certPem + ": the certificate is not a CA (basicConstraints cA is not set)");
        boolean[] ku = cert.getKeyUsage();
        if (ku != null && !ku[5])
            throw new IOException(certPem + ": the certificate's key usage does not allow keyCertSign");
        try {
            // the key must be the certificate's: sign and verify a probe
            Signature s = Signature.getInstance(signatureAlgorithm(key));
            s.initSign(key);
            byte[] probe = "donjon steward key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(signatureAlgorithm(key));
            v.initVerify(cert.getPublicKey());
            v.update(probe);
            if (!v.verify(sig)) throw new IOException(keyPem + " is not the private key of " + certPem);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException(keyPem + " is not the private key of " + certPem + ": " + OneLine.of(e));
        }
        return new CertificateAuthority(key, cert, false);
    }

    /** A throwaway P-256 CA for development; nothing outside this process trusts it. */
    public static CertificateAuthority generate(Instant now) {
        return selfSigned("Donjon Steward DEBUG CA (generated, insecure)", now, Duration.ofDays(365), true);
    }

    /**
     * A new P-256 CA to keep ({@code donjon steward init} writes it for {@code --ca-cert}/{@code --ca-key}): self-signed,
     * valid from five minutes ago (clock skew) for {@code validity}, allowed to sign certificates only (pathLen 0).
     */
    public static CertificateAuthority create(String commonName, Instant now, Duration validity) {
        return selfSigned(commonName, now, validity, false);
    }

    private static CertificateAuthority selfSigned(
            String commonName, Instant now, Duration validity, boolean generated) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair kp = g.generateKeyPair();
            X500Name name = new org.bouncycastle.asn1.x500.X500NameBuilder()
                    .addRDN(org.bouncycastle.asn1.x500.style.BCStyle.CN, commonName)
                    .build();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                    name,
                    serial(),
                    Date.from(now.minus(Duration.ofMinutes(5))),
                    Date.from(now.plus(validity)),
                    name,
                    kp.getPublic());
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(kp.getPublic()));
            X509Certificate cert = CONVERTER.getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
            return new CertificateAuthority(kp.getPrivate(), cert, generated);
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot generate a CA: " + OneLine.of(e), e);
        }
    }

    /** The CA certificate as PEM: what clients, registries ({@code --client-ca}) and Keeps ({@code --tls-client-ca}) trust. */
    public String certificatePem() {
        try {
            return Pem.encode("CERTIFICATE", List.of(certificate.getEncoded()));
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode the CA certificate: " + OneLine.of(e), e);
        }
    }

    /** The private key as unencrypted PKCS#8 PEM, the form {@link #load} reads. */
    public String privateKeyPem() {
        return Pem.encode("PRIVATE KEY", List.of(key.getEncoded())); // getEncoded(): PKCS#8 DER
    }

    /**
     * Issues the Keep's certificate: empty subject (as Enarx), the CSR key, a random 128-bit serial, validity from
     * {@code now} for {@code validity} (never past the CA's own notAfter), EKU server+client, the SANs, the claims.
     */
    public X509CertificateHolder issue(
            SubjectPublicKeyInfo keepKey,
            ClaimsExtension claims,
            List<String> dnsNames,
            Instant now,
            Duration validity) {
        Instant notAfter = now.plus(validity);
        Instant caEnd = certificate.getNotAfter().toInstant();
        if (notAfter.isAfter(caEnd)) notAfter = caEnd;
        try {
            X509v3CertificateBuilder b = new X509v3CertificateBuilder(
                    issuerName, serial(), x509Time(now), x509Time(notAfter), EMPTY_SUBJECT, keepKey);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
                KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
            }));
            if (!dnsNames.isEmpty()) {
                // the subject is empty, so RFC 5280 4.2.1.6 wants the SAN critical
                b.addExtension(
                        Extension.subjectAlternativeName,
                        true,
                        new GeneralNames(dnsNames.stream()
                                .map(n -> new GeneralName(GeneralName.dNSName, n))
                                .toArray(GeneralName[]::new)));
            }
            b.addExtension(Extension.authorityKeyIdentifier, false, authorityKeyId);
            b.addExtension(EvidenceOids.KEEP_CLAIMS, false, claims.toAsn1());
            return b.build(signer());
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue a certificate: " + OneLine.of(e), e);
        }
    }

    /** EC keys sign with the engine in force (AWS-LC in a server: ~10x the JDK's P-256 signing, bench/README.md). */
    private ContentSigner signer() throws OperatorCreationException, GeneralSecurityException {
        JcaContentSignerBuilder builder = new JcaContentSignerBuilder(signatureAlgorithm);
        if (!(key instanceof ECKey)) return builder.build(key);
        java.security.Provider provider = SignatureProviders.current().provider();
        ProviderKey known = providerKey;
        if (known == null || known.provider() != provider) {
            known = new ProviderKey(provider, (PrivateKey)
                    java.security.KeyFactory.getInstance("EC", provider).translateKey(key));
            providerKey = known;
        }
        return builder.setProvider(provider).build(known.key());
    }

    private static final X500Name EMPTY_SUBJECT = new X500Name(new org.bouncycastle.asn1.x500.RDN[0]);
    private static final DateTimeFormatter UTC_TIME =
            DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter GENERALIZED_TIME =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

    /**
     * RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, whole seconds; what BouncyCastle's
     * {@code Time(Date)} gives, without the SimpleDateFormat it builds (and parses back with) on every call, which
     * was a tenth of an issuance's Java time. The text comes from java.time, so it is read back as encoded.
     */
    static Time x509Time(Instant instant) throws IOException {
        Instant seconds = instant.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        int year = seconds.atZone(ZoneOffset.UTC).getYear();
        boolean utcTime = year >= 1950 && year < 2050;
        byte[] text = (utcTime ? UTC_TIME : GENERALIZED_TIME)
                .format(seconds)
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] tlv = new byte[2 + text.length];
        tlv[0] = (byte) (utcTime ? BERTags.UTC_TIME : BERTags.GENERALIZED_TIME);
        tlv[1] = (byte) text.length;
        System.arraycopy(text, 0, tlv, 2, text.length);
        return Time.getInstance(ASN1Primitive.fromByteArray(tlv));
    }

    private static BigInteger serial() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        b[0] = (byte) ((b[0] & 0x3f) | 0x40); // positive, never zero, always 16 bytes long: 126 random bits
        return new BigInteger(b);
    }

    private static String signatureAlgorithm(PrivateKey key) {
        return switch (key.getAlgorithm()) {
            case "EC", "ECDSA" -> {
                int bits = ((ECKey) key).getParams().getCurve().getField().getFieldSize();
                yield bits > 384 ? "SHA512withECDSA" : bits > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
            }
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default ->
                throw new IllegalArgumentException(
                        "CA key type " + key.getAlgorithm() + " is not supported (EC, RSA or Ed25519)");
        };
    }

    static X509Certificate firstCertificate(Path pem) throws IOException {
        return Pem.certificates(pem).getFirst();
    }

    static PrivateKey privateKey(Path pem) throws IOException {
        return Pem.privateKey(pem);
    }
}
