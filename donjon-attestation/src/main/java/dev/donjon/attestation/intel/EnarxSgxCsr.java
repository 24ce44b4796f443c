package dev.donjon.attestation.intel;

import dev.donjon.attestation.MalformedEvidenceException;
import dev.donjon.attestation.RejectReason;
import dev.donjon.attestation.VerificationException;
import org.bouncycastle.asn1.ASN1BitString;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import dev.donjon.attestation.crypto.CsrSignature;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * An Enarx SGX keep CSR: PKCS#10 whose extension 1.3.6.1.4.1.58270.1.2 carries
 * {@code SEQUENCE { quote OCTET STRING, crls, SEQUENCE { SEQUENCE { tcbSigningCert, rootCert }, tcbInfo OCTET STRING } }}.
 *
 * @param spkiDer  DER SubjectPublicKeyInfo of the CSR key (the quote's REPORT_DATA binds its SHA-256)
 * @param tcbInfo  the PCS TCB Info response, exact bytes
 */
record EnarxSgxCsr(byte[] spkiDer, byte[] quote, List<byte[]> crls, List<byte[]> tcbIssuerChain, byte[] tcbInfo) {
    static final String OID = "1.3.6.1.4.1.58270.1.2";

    static EnarxSgxCsr parse(byte[] der) throws VerificationException {
        PKCS10CertificationRequest csr;
        try {
            csr = new PKCS10CertificationRequest(der);
        } catch (IOException | RuntimeException e) {
            throw new MalformedEvidenceException("evidence is not a DER PKCS#10 certification request");
        }
        if (!CsrSignature.verifies(csr)) throw new VerificationException(RejectReason.SIGNATURE, "CSR self-signature does not verify");
        try {
            Extension ext = null;
            for (Attribute a : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
                for (ASN1Encodable v : a.getAttrValues()) {
                    Extension e = Extensions.getInstance(v).getExtension(new ASN1ObjectIdentifier(OID));
                    if (e != null) ext = e;
                }
            }
            if (ext == null) throw new MalformedEvidenceException("CSR carries no SGX evidence extension " + OID);
            ASN1Sequence ev = ASN1Sequence.getInstance(ext.getExtnValue().getOctets());
            if (ev.size() != 3) throw new MalformedEvidenceException("SGX evidence extension has " + ev.size() + " elements, expected 3");
            byte[] quote = ASN1OctetString.getInstance(ev.getObjectAt(0)).getOctets();
            List<byte[]> crls = new ArrayList<>();
            collectCrls(ev.getObjectAt(1).toASN1Primitive(), crls, 0);
            ASN1Sequence tcb = ASN1Sequence.getInstance(ev.getObjectAt(2));
            ASN1Sequence certs = ASN1Sequence.getInstance(tcb.getObjectAt(0));
            List<byte[]> chain = new ArrayList<>();
            for (ASN1Encodable c : certs) chain.add(c.toASN1Primitive().getEncoded("DER"));
            byte[] tcbInfo = ASN1OctetString.getInstance(tcb.getObjectAt(1)).getOctets();
            return new EnarxSgxCsr(csr.getSubjectPublicKeyInfo().getEncoded("DER"), quote, List.copyOf(crls), List.copyOf(chain), tcbInfo);
        } catch (IOException | RuntimeException e) {
            throw new MalformedEvidenceException("SGX evidence extension cannot be parsed: " + Certificates.oneLine(e));
        }
    }

    /** CRLs sit in nested sequences (Enarx pairs each with its URL); a CertificateList is {tbs, algorithm, BIT STRING}. */
    private static void collectCrls(ASN1Primitive p, List<byte[]> out, int depth) throws IOException, MalformedEvidenceException {
        if (depth > 4 || !(p instanceof ASN1Sequence s)) return;
        if (s.size() == 3 && s.getObjectAt(0) instanceof ASN1Sequence && s.getObjectAt(2) instanceof ASN1BitString) {
            out.add(s.getEncoded("DER"));
            return;
        }
        for (ASN1Encodable e : s) collectCrls(e.toASN1Primitive(), out, depth + 1);
    }
}
