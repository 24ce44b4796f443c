package dev.donjon.platform.identity;

import dev.donjon.platform.PlatformException;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import java.io.IOException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;

/**
 * A Keep's certification request as Enarx makes it: PKCS#10 v1, empty subject, the Keep's public key, one
 * extensionRequest attribute holding the evidence extension (plus, optionally, further non-critical extensions such
 * as the Steward's workload identity), self-signed with ECDSA SHA-384 (P-384 keys) or SHA-256 (P-256 keys).
 */
public final class KeepCsr {

    private KeepCsr() {}

    public static byte[] build(KeyPair keys, Extension evidence, Extension... more) throws PlatformException {
        Extension[] all = new Extension[1 + more.length];
        all[0] = evidence;
        System.arraycopy(more, 0, all, 1, more.length);
        PKCS10CertificationRequestBuilder b = new JcaPKCS10CertificationRequestBuilder(new X500Name(new RDN[0]), keys.getPublic())
                .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, new Extensions(all));
        try {
            return b.build(new JcaContentSignerBuilder(signatureAlgorithm(keys.getPublic())).build(keys.getPrivate())).getEncoded();
        } catch (OperatorCreationException | IOException e) {
            throw new PlatformException("cannot sign the Keep CSR: " + e.getMessage(), e);
        }
    }

    /** ECDSA with the hash that matches the curve's strength: SHA-384 for P-384 (and larger), SHA-256 for P-256. */
    static String signatureAlgorithm(PublicKey key) throws PlatformException {
        if (!(key instanceof ECPublicKey ec)) throw new PlatformException("a Keep key must be an EC key, not " + key.getAlgorithm());
        return ec.getParams().getOrder().bitLength() > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
    }
}
