package dev.donjon.abi.csr;

import dev.donjon.abi.FormatException;
import dev.donjon.common.OneLine;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * A Keep's certification request, both directions. {@link #build} makes it as Enarx Keeps do: PKCS#10 v1, empty
 * subject, the Keep's public key, one extensionRequest attribute holding the evidence extension (plus, optionally,
 * further non-critical extensions such as the workload identity), self-signed with ECDSA SHA-384 (P-384 keys) or
 * SHA-256 (P-256 keys). {@link #parse} checks the form a Steward accepts: DER PKCS#10, self-signature valid (by the
 * caller's check), only an extensionRequest attribute, at most one attestation extension, no unknown critical one.
 *
 * @param der         the request as received (verifiers re-read the evidence from it)
 * @param attestation the one extension whose OID is in {@code attestationOids}, if any
 * @param workload    the Donjon workload-identity extension, if the Keep sent one
 * @param nonce       the Steward nonce the Keep's evidence binds (freshness), if it asked for one
 */
public record KeepCsr(
        byte[] der,
        PKCS10CertificationRequest request,
        byte[] spkiDer,
        Optional<Extension> attestation,
        Optional<WorkloadIdentity> workload,
        Optional<byte[]> nonce) {

    /** Largest request the Steward reads (an SGX CSR with its TCB package is ~15 KB). */
    public static final int MAX_BYTES = 256 * 1024;

    public SubjectPublicKeyInfo publicKey() {
        return request.getSubjectPublicKeyInfo();
    }

    /**
     * @param selfSignatureVerifies the caller's proof-of-possession check (its choice of signature engine); a request
     *                              it refuses is malformed
     */
    public static KeepCsr parse(
            byte[] der,
            Set<ASN1ObjectIdentifier> attestationOids,
            Predicate<PKCS10CertificationRequest> selfSignatureVerifies)
            throws FormatException {
        if (der.length > MAX_BYTES) throw new FormatException("CSR is larger than " + MAX_BYTES + " bytes");
        PKCS10CertificationRequest csr;
        try {
            // BouncyCastle accepts trailing bytes and BER; a CSR must be exactly one DER structure
            ASN1Primitive p = ASN1Primitive.fromByteArray(der);
            if (!java.util.Arrays.equals(p.getEncoded("DER"), der))
                throw new FormatException("CSR is not DER (or has trailing bytes)");
            csr = new PKCS10CertificationRequest(org.bouncycastle.asn1.pkcs.CertificationRequest.getInstance(p));
        } catch (FormatException e) {
            throw e;
        } catch (Exception e) {
            throw new FormatException("not a DER PKCS#10 certification request");
        }
        byte[] spki;
        try {
            spki = csr.getSubjectPublicKeyInfo().getEncoded("DER");
        } catch (Exception e) {
            throw new FormatException("CSR public key does not encode: " + OneLine.of(e));
        }
        if (!selfSignatureVerifies.test(csr))
            throw new FormatException("CSR signature does not verify with its own public key");
        List<Extension> attestation = new ArrayList<>();
        Optional<WorkloadIdentity> workload = Optional.empty();
        Optional<byte[]> nonce = Optional.empty();
        for (Attribute a : csr.getAttributes()) {
            if (!a.getAttrType().equals(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
                throw new FormatException(
                        "CSR attribute " + a.getAttrType() + " is not supported (only extensionRequest)");
            }
            for (ASN1Encodable value : a.getAttrValues()) {
                Extensions exts;
                try {
                    exts = Extensions.getInstance(ASN1Sequence.getInstance(value));
                } catch (RuntimeException e) {
                    throw new FormatException("CSR extensionRequest does not parse: " + OneLine.of(e));
                }
                for (ASN1ObjectIdentifier oid : exts.getExtensionOIDs()) {
                    Extension ext = exts.getExtension(oid);
                    if (attestationOids.contains(oid)) {
                        attestation.add(ext);
                    } else if (oid.equals(EvidenceOids.WORKLOAD_IDENTITY)) {
                        if (workload.isPresent()) throw new FormatException("CSR carries two workload identities");
                        workload = Optional.of(workload(ext));
                    } else if (oid.equals(EvidenceOids.STEWARD_NONCE)) {
                        if (nonce.isPresent()) throw new FormatException("CSR carries two Steward nonces");
                        try {
                            nonce = NonceExtension.decode(ext);
                        } catch (IllegalArgumentException e) {
                            throw new FormatException(e.getMessage());
                        }
                    } else if (ext.isCritical()) {
                        throw new FormatException("CSR requests unsupported critical extension " + oid);
                    }
                    // other non-critical requests (e.g. SANs) are ignored: the Steward decides what a certificate says
                }
            }
        }
        if (attestation.size() > 1) {
            throw new FormatException(
                    "CSR carries " + attestation.size() + " attestation extensions; exactly one is allowed");
        }
        return new KeepCsr(der, csr, spki, attestation.stream().findFirst(), workload, nonce);
    }

    private static WorkloadIdentity workload(Extension ext) throws FormatException {
        try {
            return WorkloadIdentity.fromAsn1(
                    ASN1Sequence.getInstance(ext.getExtnValue().getOctets()));
        } catch (RuntimeException e) {
            throw new FormatException("workload identity extension: " + OneLine.of(e));
        }
    }

    /** The request as a Keep sends it (see the class comment). */
    public static byte[] build(KeyPair keys, Extension evidence, Extension... more) throws GeneralSecurityException {
        Extension[] all = new Extension[1 + more.length];
        all[0] = evidence;
        System.arraycopy(more, 0, all, 1, more.length);
        var b = new JcaPKCS10CertificationRequestBuilder(new X500Name(new RDN[0]), keys.getPublic())
                .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, new Extensions(all));
        try {
            return b.build(new JcaContentSignerBuilder(signatureAlgorithm(keys.getPublic())).build(keys.getPrivate()))
                    .getEncoded();
        } catch (OperatorCreationException | IOException e) {
            throw new GeneralSecurityException("cannot sign the Keep CSR: " + OneLine.of(e), e);
        }
    }

    /** ECDSA with the hash that matches the curve's strength: SHA-384 for P-384 (and larger), SHA-256 for P-256. */
    public static String signatureAlgorithm(PublicKey key) throws GeneralSecurityException {
        if (!(key instanceof ECPublicKey ec))
            throw new GeneralSecurityException("a Keep key must be an EC key, not " + key.getAlgorithm());
        return ec.getParams().getOrder().bitLength() > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
    }
}
