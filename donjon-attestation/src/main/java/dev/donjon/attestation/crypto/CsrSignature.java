package dev.donjon.attestation.crypto;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Map;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * Whether a PKCS#10 request is signed by the key it carries (proof of possession). Every Keep CSR is ECDSA, so that
 * path goes straight to the {@link SignatureProviders#current() engine in force}; anything else goes through
 * BouncyCastle's generic verifier, as before.
 */
public final class CsrSignature {

    private static final Map<ASN1ObjectIdentifier, String> ECDSA = Map.of(
            X9ObjectIdentifiers.ecdsa_with_SHA256, "SHA256withECDSA",
            X9ObjectIdentifiers.ecdsa_with_SHA384, "SHA384withECDSA",
            X9ObjectIdentifiers.ecdsa_with_SHA512, "SHA512withECDSA");

    private CsrSignature() {}

    /** True when the self-signature verifies; false for a bad signature, an unusable key or an unknown algorithm. */
    public static boolean verifies(PKCS10CertificationRequest csr) {
        try {
            String ecdsa = ECDSA.get(csr.getSignatureAlgorithm().getAlgorithm());
            if (ecdsa == null) {
                return csr.isSignatureValid(new JcaContentVerifierProviderBuilder()
                        .setProvider(SignatureProviders.bouncyCastle())
                        .build(csr.getSubjectPublicKeyInfo()));
            }
            // RFC 5758 3.2: ECDSA signature algorithm identifiers carry no parameters
            if (csr.getSignatureAlgorithm().getParameters() != null) return false;
            var provider = SignatureProviders.current().provider();
            var key = KeyFactory.getInstance("EC", provider)
                    .generatePublic(
                            new X509EncodedKeySpec(csr.getSubjectPublicKeyInfo().getEncoded("DER")));
            Signature verifier = Signature.getInstance(ecdsa, provider);
            verifier.initVerify(key);
            verifier.update(csr.toASN1Structure().getCertificationRequestInfo().getEncoded("DER"));
            return verifier.verify(csr.getSignature());
        } catch (GeneralSecurityException
                | java.io.IOException
                | org.bouncycastle.operator.OperatorCreationException
                | org.bouncycastle.pkcs.PKCSException
                | RuntimeException e) {
            return false;
        }
    }
}
