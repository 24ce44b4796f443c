package dev.donjon.abi.csr;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.ASN1UTF8String;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x509.Extension;

/**
 * The workload a Keep runs, as far as it is known: a registry package slug (e.g. {@code host/user/repo:1.0.0}) and a
 * content digest of the package. ASN.1 (see README):
 * <pre>
 * WorkloadIdentity ::= SEQUENCE {
 *     slug    [0] IMPLICIT UTF8String OPTIONAL,
 *     digest  [1] IMPLICIT SEQUENCE { algorithm UTF8String, value OCTET STRING } OPTIONAL }
 * </pre>
 */
public record WorkloadIdentity(Optional<String> slug, Optional<Digest> digest) {

    private static final int MAX_SLUG = 1024;

    /** @param algorithm as in HTTP Content-Digest: "sha-256", "sha-384" or "sha-512" */
    public record Digest(String algorithm, byte[] value) {
        public Digest {
            int expected = switch (algorithm) {
                case "sha-256" -> 32;
                case "sha-384" -> 48;
                case "sha-512" -> 64;
                default -> throw new IllegalArgumentException("unknown digest algorithm '" + algorithm + "'");
            };
            if (value.length != expected)
                throw new IllegalArgumentException(algorithm + " digest must be " + expected + " bytes");
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public String toString() {
            return algorithm + ":" + HexFormat.of().formatHex(value);
        }
    }

    public WorkloadIdentity {
        slug.ifPresent(s -> {
            if (s.isEmpty() || s.length() > MAX_SLUG || s.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                throw new IllegalArgumentException(
                        "workload slug must be 1-" + MAX_SLUG + " printable ASCII characters");
            }
        });
    }

    /**
     * What a Keep claims for the module it runs: the SHA-256 of its bytes, and the registry slug when it came from one.
     */
    public static WorkloadIdentity ofModule(Optional<String> slug, byte[] module) {
        try {
            return new WorkloadIdentity(
                    slug,
                    Optional.of(new Digest(
                            "sha-256", MessageDigest.getInstance("SHA-256").digest(module))));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /**
     * Only the slug: for a Keep that enrolls <em>before</em> it has fetched its module (it needs the certificate to
     * fetch a private package), so no digest can be claimed yet.
     */
    public static WorkloadIdentity ofSlug(String slug) {
        return new WorkloadIdentity(Optional.of(slug), Optional.empty());
    }

    /** The non-critical CSR extension {@link EvidenceOids#WORKLOAD_IDENTITY} with this value. */
    public Extension toExtension() {
        try {
            return new Extension(EvidenceOids.WORKLOAD_IDENTITY, false, toAsn1().getEncoded("DER"));
        } catch (IOException e) {
            throw new IllegalStateException("DER encoding in memory failed", e);
        }
    }

    public ASN1Sequence toAsn1() {
        ASN1EncodableVector v = new ASN1EncodableVector();
        slug.ifPresent(s -> v.add(new DERTaggedObject(false, 0, new DERUTF8String(s))));
        digest.ifPresent(d ->
                v.add(new DERTaggedObject(false, 1, new DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {
                    new DERUTF8String(d.algorithm()), new DEROctetString(d.value())
                }))));
        return new DERSequence(v);
    }

    /** Parses the ASN.1 above; throws IllegalArgumentException naming the problem. */
    public static WorkloadIdentity fromAsn1(ASN1Sequence seq) {
        Optional<String> slug = Optional.empty();
        Optional<Digest> digest = Optional.empty();
        int lastTag = -1;
        for (var element : seq) {
            if (!(element instanceof ASN1TaggedObject t) || t.getTagNo() <= lastTag || t.getTagNo() > 1) {
                throw new IllegalArgumentException("workload identity holds an unexpected element");
            }
            lastTag = t.getTagNo();
            if (t.getTagNo() == 0) {
                slug = Optional.of(ASN1UTF8String.getInstance(t, false).getString());
            } else {
                ASN1Sequence d = ASN1Sequence.getInstance(t, false);
                if (d.size() != 2)
                    throw new IllegalArgumentException("workload digest must hold an algorithm and a value");
                digest = Optional.of(new Digest(
                        ASN1UTF8String.getInstance(d.getObjectAt(0)).getString(),
                        ASN1OctetString.getInstance(d.getObjectAt(1)).getOctets()));
            }
        }
        return new WorkloadIdentity(slug, digest);
    }
}
