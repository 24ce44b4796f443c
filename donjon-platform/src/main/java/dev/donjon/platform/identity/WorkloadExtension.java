package dev.donjon.platform.identity;

import dev.donjon.platform.PlatformException;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x509.Extension;

/**
 * The CSR extension that names the workload a Keep runs (donjon-steward README, "Workload identity"): non-critical,
 * OID {@link EvidenceOids#WORKLOAD_IDENTITY}, value
 * <pre>
 * WorkloadIdentity ::= SEQUENCE {
 *     slug    [0] IMPLICIT UTF8String OPTIONAL,
 *     digest  [1] IMPLICIT SEQUENCE { algorithm UTF8String, value OCTET STRING } OPTIONAL }
 * </pre>
 * The Keep always sends the SHA-256 of the module bytes it runs; the slug only when the package came from a registry.
 */
public final class WorkloadExtension {

    private WorkloadExtension() {}

    /** @param slug the registry package slug; empty for a local file */
    public static Extension forModule(Optional<String> slug, byte[] module) throws PlatformException {
        ASN1EncodableVector v = new ASN1EncodableVector();
        slug.ifPresent(s -> v.add(new DERTaggedObject(false, 0, new DERUTF8String(s))));
        v.add(new DERTaggedObject(false, 1, new DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {
                new DERUTF8String("sha-256"), new DEROctetString(sha256(module))})));
        try {
            return new Extension(EvidenceOids.WORKLOAD_IDENTITY, false, new DERSequence(v).getEncoded());
        } catch (IOException e) {
            throw new PlatformException("cannot encode the workload identity: " + e.getMessage(), e);
        }
    }

    /**
     * Only the slug: for a Keep that enrolls <em>before</em> it has fetched its module (it needs the certificate to
     * fetch a private package), so no digest can be claimed yet.
     */
    public static Extension forSlug(String slug) throws PlatformException {
        try {
            return new Extension(EvidenceOids.WORKLOAD_IDENTITY, false,
                    new DERSequence(new DERTaggedObject(false, 0, new DERUTF8String(slug))).getEncoded());
        } catch (IOException e) {
            throw new PlatformException("cannot encode the workload identity: " + e.getMessage(), e);
        }
    }

    static byte[] sha256(byte[] bytes) throws PlatformException {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new PlatformException("no SHA-256 in this JDK", e);
        }
    }
}
