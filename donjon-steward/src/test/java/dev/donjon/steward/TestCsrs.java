package dev.donjon.steward;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Test material: the shared vectors, and CSRs made here with chosen extensions. */
final class TestCsrs {
    static final Path VECTORS = Path.of(System.getProperty("donjon.shared", "../../shared"), "vectors");
    static final Path STEWARD = VECTORS.resolve("enarx/steward");
    static final Instant SNP_NOW = Instant.parse("2023-01-15T00:00:00Z");
    static final Instant SGX_NOW = Instant.parse("2023-02-01T00:00:00Z");

    private TestCsrs() {}

    static byte[] vector(String name) throws Exception {
        return Files.readAllBytes(STEWARD.resolve(name));
    }

    static byte[] snpCsr() throws Exception {
        return vector("milan.signed.crl.csr");
    }

    static byte[] sgxCsr() throws Exception {
        return vector("icelake.signed.tcb.crl.single.i5.csr");
    }

    static StewardPolicy stewardToml() throws Exception {
        return StewardPolicy.read(STEWARD.resolve("steward.toml"));
    }

    static Clock at(Instant now) {
        return Clock.fixed(now, ZoneOffset.UTC);
    }

    static Steward steward(StewardPolicy policy, Instant now) {
        return new Steward(new Steward.Config(
                CertificateAuthority.generate(now),
                policy,
                TrustAnchors.bundled(),
                at(now),
                Steward.Config.DEFAULT_VALIDITY,
                List.of("localhost")));
    }

    static KeyPair keyPair(String curve) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(curve));
        return g.generateKeyPair();
    }

    /** A CSR by a fresh P-256 key with the given requested extensions. */
    static byte[] csr(Extension... extensions) throws Exception {
        KeyPair kp = keyPair("secp256r1");
        var b = new JcaPKCS10CertificationRequestBuilder(
                new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), kp.getPublic());
        if (extensions.length > 0)
            b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, new Extensions(extensions));
        return b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()))
                .getEncoded();
    }

    static Extension ext(ASN1ObjectIdentifier oid, byte[] value) throws Exception {
        return new Extension(oid, false, new DEROctetString(value));
    }

    /** The extension value (DER inside the OCTET STRING) of the first attestation extension of a real CSR. */
    static byte[] evidenceOf(byte[] csr, ASN1ObjectIdentifier oid) throws Exception {
        var req = new org.bouncycastle.pkcs.PKCS10CertificationRequest(csr);
        return req.getRequestedExtensions().getExtension(oid).getExtnValue().getOctets();
    }
}
