package dev.donjon.steward;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import dev.donjon.attestation.crypto.CsrSignature;
import dev.donjon.platform.identity.EvidenceOids;
import dev.donjon.platform.identity.NonceExtension;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * A Keep's certification request, checked for form: DER PKCS#10, self-signature valid, only an extensionRequest
 * attribute, at most one attestation extension, no unknown critical extension.
 *
 * @param der         the request as received (verifiers re-read the evidence from it)
 * @param attestation the one extension whose OID is in {@code attestationOids}, if any
 * @param workload    the Donjon workload-identity extension, if the Keep sent one
 * @param nonce       the Steward nonce the Keep's evidence binds (freshness), if it asked for one
 */
public record KeepCsr(byte[] der, PKCS10CertificationRequest request, byte[] spkiDer, Optional<Extension> attestation,
                      Optional<WorkloadIdentity> workload, Optional<byte[]> nonce) {

    /** Largest request the Steward reads (an SGX CSR with its TCB package is ~15 KB). */
    public static final int MAX_BYTES = 256 * 1024;

    public SubjectPublicKeyInfo publicKey() { return request.getSubjectPublicKeyInfo(); }

    static KeepCsr parse(byte[] der, Set<ASN1ObjectIdentifier> attestationOids) throws Denial {
        if (der.length > MAX_BYTES) throw Denial.malformed("CSR is larger than " + MAX_BYTES + " bytes");
        PKCS10CertificationRequest csr;
        try {
            // BouncyCastle accepts trailing bytes and BER; a CSR must be exactly one DER structure
            ASN1Primitive p = ASN1Primitive.fromByteArray(der);
            if (!java.util.Arrays.equals(p.getEncoded("DER"), der)) throw Denial.malformed("CSR is not DER (or has trailing bytes)");
            csr = new PKCS10CertificationRequest(org.bouncycastle.asn1.pkcs.CertificationRequest.getInstance(p));
        } catch (Denial d) {
            throw d;
        } catch (Exception e) {
            throw Denial.malformed("not a DER PKCS#10 certification request");
        }
        byte[] spki;
        try {
            spki = csr.getSubjectPublicKeyInfo().getEncoded("DER");
        } catch (Exception e) {
            throw Denial.malformed("CSR public key does not encode: " + oneLine(e));
        }
        if (!CsrSignature.verifies(csr)) throw Denial.malformed("CSR signature does not verify with its own public key");
        List<Extension> attestation = new ArrayList<>();
        Optional<WorkloadIdentity> workload = Optional.empty();
        Optional<byte[]> nonce = Optional.empty();
        for (Attribute a : csr.getAttributes()) {
            if (!a.getAttrType().equals(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
                throw Denial.malformed("CSR attribute " + a.getAttrType() + " is not supported (only extensionRequest)");
            }
            for (ASN1Encodable value : a.getAttrValues()) {
                Extensions exts;
                try {
                    exts = Extensions.getInstance(ASN1Sequence.getInstance(value));
                } catch (RuntimeException e) {
                    throw Denial.malformed("CSR extensionRequest does not parse: " + oneLine(e));
                }
                for (ASN1ObjectIdentifier oid : exts.getExtensionOIDs()) {
                    Extension ext = exts.getExtension(oid);
                    if (attestationOids.contains(oid)) {
                        attestation.add(ext);
                    } else if (oid.equals(DonjonOids.WORKLOAD_IDENTITY)) {
                        if (workload.isPresent()) throw Denial.malformed("CSR carries two workload identities");
                        workload = Optional.of(workload(ext));
                    } else if (oid.equals(EvidenceOids.STEWARD_NONCE)) {
                        if (nonce.isPresent()) throw Denial.malformed("CSR carries two Steward nonces");
                        try {
                            nonce = NonceExtension.decode(ext);
                        } catch (IllegalArgumentException e) {
                            throw Denial.malformed(e.getMessage());
                        }
                    } else if (ext.isCritical()) {
                        throw Denial.malformed("CSR requests unsupported critical extension " + oid);
                    }
                    // other non-critical requests (e.g. SANs) are ignored: the Steward decides what a certificate says
                }
            }
        }
        if (attestation.size() > 1) {
            throw Denial.malformed("CSR carries " + attestation.size() + " attestation extensions; exactly one is allowed");
        }
        return new KeepCsr(der, csr, spki, attestation.stream().findFirst(), workload, nonce);
    }

    private static WorkloadIdentity workload(Extension ext) throws Denial {
        try {
            return WorkloadIdentity.fromAsn1(ASN1Sequence.getInstance(ext.getExtnValue().getOctets()));
        } catch (RuntimeException e) {
            throw Denial.malformed("workload identity extension: " + oneLine(e));
        }
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.replaceAll("\\s+", " ").strip();
    }
}
