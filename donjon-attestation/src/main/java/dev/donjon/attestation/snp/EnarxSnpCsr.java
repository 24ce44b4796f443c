package dev.donjon.attestation.snp;

import dev.donjon.abi.snp.AttestationReport;
import dev.donjon.attestation.MalformedEvidenceException;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.CertificateList;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An Enarx keep CSR (PKCS#10) carrying SNP evidence in its requested extension 1.3.6.1.4.1.58270.1.3:
 * {@code SEQUENCE { SEQUENCE { vcek Certificate, SEQUENCE { SEQUENCE OF SEQUENCE { url UTF8String, CertificateList } } },
 * report OCTET STRING }}. Donjon's sim platform uses the same encoding under its own OID (2.25.…714.4, see
 * donjon-platform's README); whether evidence is simulated is decided by the root its chain ends in, never by the OID.
 */
final class EnarxSnpCsr {

    static final ASN1ObjectIdentifier SNP_EVIDENCE = new ASN1ObjectIdentifier("1.3.6.1.4.1.58270.1.3");
    static final ASN1ObjectIdentifier SIM_EVIDENCE = new ASN1ObjectIdentifier("2.25.118320555665190972706478181584121055714.4");

    private EnarxSnpCsr() {}

    static SnpEvidence read(byte[] der) throws MalformedEvidenceException {
        PKCS10CertificationRequest csr;
        try {
            csr = new PKCS10CertificationRequest(der);
        } catch (Exception e) {
            throw new MalformedEvidenceException("not a DER PKCS#10 CSR: " + CertificateFiles.oneLine(e));
        }
        try {
            // inside the try: BouncyCastle decodes the CSR attributes only now and throws on malformed ones (found by fuzzing)
            Extension ext = evidenceExtension(csr);
            ASN1Sequence evidence = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(ext.getExtnValue().getOctets()));
            if (evidence.size() != 2) throw new MalformedEvidenceException("SNP evidence must hold endorsements and a report");
            ASN1Sequence endorsements = ASN1Sequence.getInstance(evidence.getObjectAt(0));
            if (endorsements.size() < 1) throw new MalformedEvidenceException("SNP evidence carries no VCEK");
            X509CertificateHolder vcek = new X509CertificateHolder(Certificate.getInstance(endorsements.getObjectAt(0)));
            List<X509CRLHolder> crls = new ArrayList<>();
            for (int i = 1; i < endorsements.size(); i++) collectCrls(endorsements.getObjectAt(i), crls, 0);
            byte[] report = ASN1OctetString.getInstance(evidence.getObjectAt(1)).getOctets();
            return new SnpEvidence(SnpEvidence.report(report), Optional.of(vcek), List.of(), crls, Optional.of(csr));
        } catch (MalformedEvidenceException e) {
            throw e;
        } catch (Exception e) {
            throw new MalformedEvidenceException("SNP evidence in the CSR does not parse: " + CertificateFiles.oneLine(e));
        }
    }

    private static Extension evidenceExtension(PKCS10CertificationRequest csr) throws MalformedEvidenceException {
        for (var attribute : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            for (ASN1Encodable value : attribute.getAttrValues()) {
                Extensions extensions = Extensions.getInstance(value);
                Extension e = extensions.getExtension(SNP_EVIDENCE);
                if (e == null) e = extensions.getExtension(SIM_EVIDENCE);
                if (e != null) return e;
            }
        }
        throw new MalformedEvidenceException("CSR carries no SEV-SNP evidence extension (1.3.6.1.4.1.58270.1.3, or Donjon sim "
                + SIM_EVIDENCE + ")");
    }

    /** A CertificateList is SEQUENCE { tbs SEQUENCE, algorithm SEQUENCE, signature BIT STRING }; anything else is a wrapper. */
    private static void collectCrls(ASN1Encodable node, List<X509CRLHolder> out, int depth) throws MalformedEvidenceException {
        ASN1Sequence seq = ASN1Sequence.getInstance(node);
        if (seq.size() == 3 && seq.getObjectAt(0) instanceof ASN1Sequence && seq.getObjectAt(1) instanceof ASN1Sequence
                && seq.getObjectAt(2) instanceof org.bouncycastle.asn1.ASN1BitString) {
            out.add(new X509CRLHolder(CertificateList.getInstance(seq)));
            return;
        }
        if (depth > 3) throw new MalformedEvidenceException("CRL list in the CSR nests too deep");
        for (ASN1Encodable e : seq) {
            if (e instanceof ASN1String) continue; // the distribution-point URL Enarx stores beside each CRL
            collectCrls(e, out, depth + 1);
        }
    }
}
