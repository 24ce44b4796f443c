package dev.donjon.attestation.snp;

import dev.donjon.abi.snp.AttestationReport;
import dev.donjon.attestation.MalformedEvidenceException;
import dev.donjon.attestation.RejectReason;
import dev.donjon.attestation.VerificationException;
import dev.donjon.attestation.crypto.SignatureProviders;
import dev.donjon.common.OneLine;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * The report's ECDSA P-384/SHA-384 signature over bytes 0x000-0x29F, checked by the {@link SignatureProviders signature
 * engine in force} (never the JDK's, whose P-384 is several times slower: bench/README.md, Steward). The memoized
 * chain keeps the VCEK key object made by that engine, so its precomputation is reused.
 */
final class ReportSignature {

    private static final int COORDINATE = 48;

    private ReportSignature() {}

    /** The VCEK/VLEK public key, which must be an EC P-384 key. */
    static PublicKey p384Key(SubjectPublicKeyInfo spki, String what) throws MalformedEvidenceException {
        ASN1ObjectIdentifier algorithm = spki.getAlgorithm().getAlgorithm();
        if (!X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm)
                || !SECObjectIdentifiers.secp384r1.equals(spki.getAlgorithm().getParameters())) {
            throw new MalformedEvidenceException(what + " key is not an ECDSA P-384 key");
        }
        try {
            return KeyFactory.getInstance("EC", SignatureProviders.current().provider())
                    .generatePublic(new X509EncodedKeySpec(spki.getEncoded()));
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new MalformedEvidenceException(what + " key does not decode: " + OneLine.of(e));
        }
    }

    static void verify(AttestationReport report, PublicKey key, String signer) throws VerificationException {
        byte[] p1363 = new byte[2 * COORDINATE];
        if (!fits(report.signatureR(), p1363, 0) || !fits(report.signatureS(), p1363, COORDINATE)) {
            throw new VerificationException(RejectReason.SIGNATURE, "report signature r/s exceed the P-384 order size");
        }
        boolean valid;
        try {
            SignatureProviders.Engine engine = SignatureProviders.current();
            Signature ecdsa =
                    Signature.getInstance(engine.plainEcdsa("SHA384"), engine.provider()); // r || s, 48 bytes each
            ecdsa.initVerify(key);
            ecdsa.update(report.signedBytes());
            valid = ecdsa.verify(p1363);
        } catch (GeneralSecurityException e) {
            valid = false;
        }
        if (!valid)
            throw new VerificationException(
                    RejectReason.SIGNATURE, "report signature does not verify with the " + signer);
    }

    private static boolean fits(BigInteger value, byte[] out, int offset) {
        byte[] bytes = value.toByteArray();
        int start = bytes.length > COORDINATE && bytes[0] == 0 ? 1 : 0;
        int length = bytes.length - start;
        if (length > COORDINATE) return false;
        System.arraycopy(bytes, start, out, offset + COORDINATE - length, length);
        return true;
    }
}
