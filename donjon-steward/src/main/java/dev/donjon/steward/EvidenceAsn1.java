package dev.donjon.steward;

import dev.donjon.attestation.Container;
import dev.donjon.attestation.Endorsements;
import dev.donjon.attestation.EvidenceInput;
import dev.donjon.attestation.IntelCollateral;
import dev.donjon.attestation.Tee;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1BitString;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.x509.Extension;

/**
 * Reads the evidence extensions whose content the Steward unpacks itself (README "Evidence extensions"):
 * <pre>
 * snp, sim  SEQUENCE { SEQUENCE { vcek Certificate, crls CrlList }, report OCTET STRING }
 * sgx       SEQUENCE { quote OCTET STRING, crls CrlList, tcb TcbPackage }                         (Enarx)
 * tdx       SEQUENCE { quote OCTET STRING, crls [0] EXPLICIT CrlList OPTIONAL, tcb [1] EXPLICIT TcbPackage OPTIONAL }
 * CrlList    ::= SEQUENCE { SEQUENCE OF SEQUENCE { url UTF8String, crl CertificateList } }   (nesting tolerated)
 * TcbPackage ::= SEQUENCE { SEQUENCE OF Certificate, tcbInfo OCTET STRING }
 * </pre>
 */
final class EvidenceAsn1 {

    private EvidenceAsn1() {}

    /** SEV-SNP layout (real or simulated): the report with the VCEK and CRLs it carries, plus the pinned chain. */
    static EvidenceInput snp(Extension ext, byte[] amdChain) throws Denial {
        try {
            ASN1Sequence evidence = sequence(ext.getExtnValue().getOctets());
            if (evidence.size() != 2) throw Denial.malformed("SNP evidence must hold endorsements and a report");
            ASN1Sequence endorsements = ASN1Sequence.getInstance(evidence.getObjectAt(0));
            if (endorsements.size() < 1) throw Denial.malformed("SNP evidence carries no VCEK");
            byte[] vcek = endorsements.getObjectAt(0).toASN1Primitive().getEncoded(); // exact bytes, still unparsed
            List<byte[]> crls = new ArrayList<>();
            for (int i = 1; i < endorsements.size(); i++) collectCrls(endorsements.getObjectAt(i), crls, 0);
            byte[] report = ASN1OctetString.getInstance(evidence.getObjectAt(1)).getOctets();
            return new EvidenceInput(Tee.SNP, Container.SNP_REPORT, report, new Endorsements(Optional.of(vcek), Optional.empty(),
                    Optional.of(amdChain), crls, Optional.empty(), Optional.empty()));
        } catch (IOException | RuntimeException e) {
            throw Denial.malformed("SNP evidence extension does not parse: " + KeepCsr.oneLine(e));
        }
    }

    /**
     * Enarx's SGX layout, read here rather than by the verifier's whole-CSR reader, which would parse the CSR and check
     * its signature a second time: the quote, the CRLs and the TCB package it carries, judged against the pinned root.
     */
    static EvidenceInput sgx(Extension ext, byte[] intelRoot) throws Denial {
        try {
            ASN1Sequence evidence = sequence(ext.getExtnValue().getOctets());
            if (evidence.size() != 3) throw Denial.malformed("SGX evidence must hold a quote, CRLs and a TCB package");
            byte[] quote = ASN1OctetString.getInstance(evidence.getObjectAt(0)).getOctets();
            List<byte[]> crls = new ArrayList<>();
            collectCrls(evidence.getObjectAt(1), crls, 0);
            IntelCollateral tcb = tcbPackage(evidence.getObjectAt(2), "SGX");
            return new EvidenceInput(Tee.SGX, Container.INTEL_QUOTE, quote, new Endorsements(Optional.empty(), Optional.empty(),
                    Optional.empty(), crls, Optional.of(tcb), Optional.of(intelRoot)));
        } catch (IOException | RuntimeException e) {
            throw Denial.malformed("SGX evidence extension does not parse: " + KeepCsr.oneLine(e));
        }
    }

    /** TcbPackage ::= SEQUENCE { SEQUENCE OF Certificate (the TCB Info issuer chain), tcbInfo OCTET STRING }. */
    private static IntelCollateral tcbPackage(ASN1Encodable node, String tee) throws IOException, Denial {
        ASN1Sequence tcb = ASN1Sequence.getInstance(node);
        if (tcb.size() != 2) throw Denial.malformed(tee + " TCB package must hold the issuer chain and the TCB Info");
        ByteArrayOutputStream chain = new ByteArrayOutputStream();
        for (ASN1Encodable c : ASN1Sequence.getInstance(tcb.getObjectAt(0))) chain.write(c.toASN1Primitive().getEncoded("DER"));
        byte[] tcbInfo = ASN1OctetString.getInstance(tcb.getObjectAt(1)).getOctets();
        return new IntelCollateral.Files(tcbInfo, chain.toByteArray(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    /** TDX: the quote, with the CRLs and TCB Info it may carry as collateral, judged against the pinned Intel root. */
    static EvidenceInput tdx(Extension ext, byte[] intelRoot) throws Denial {
        try {
            ASN1Sequence evidence = sequence(ext.getExtnValue().getOctets());
            if (evidence.size() < 1 || evidence.size() > 3) throw Denial.malformed("TDX evidence must hold a quote and optional CRLs and TCB package");
            byte[] quote = ASN1OctetString.getInstance(evidence.getObjectAt(0)).getOctets();
            List<byte[]> crls = new ArrayList<>();
            Optional<IntelCollateral> collateral = Optional.empty();
            int lastTag = -1;
            for (int i = 1; i < evidence.size(); i++) {
                ASN1TaggedObject t = ASN1TaggedObject.getInstance(evidence.getObjectAt(i));
                if (t.getTagNo() <= lastTag || t.getTagNo() > 1) throw Denial.malformed("TDX evidence has an unexpected element [" + t.getTagNo() + "]");
                lastTag = t.getTagNo();
                if (t.getTagNo() == 0) {
                    collectCrls(t.getExplicitBaseObject(), crls, 0);
                } else {
                    collateral = Optional.of(tcbPackage(t.getExplicitBaseObject(), "TDX"));
                }
            }
            return new EvidenceInput(Tee.TDX, Container.INTEL_QUOTE, quote, new Endorsements(Optional.empty(), Optional.empty(),
                    Optional.empty(), crls, collateral, Optional.of(intelRoot)));
        } catch (IOException | RuntimeException e) {
            throw Denial.malformed("TDX evidence extension does not parse: " + KeepCsr.oneLine(e));
        }
    }

    /**
     * Parsed lazily: a nested SEQUENCE is parsed only when looked into, and one that is not (a certificate, a CRL's
     * body) is passed on as its exact bytes, which the verifier parses only when it has not validated them before.
     */
    private static ASN1Sequence sequence(byte[] der) throws IOException, Denial {
        try (ASN1InputStream in = new ASN1InputStream(der, true)) {
            ASN1Primitive p = in.readObject();
            if (!(p instanceof ASN1Sequence s)) throw Denial.malformed("evidence extension is not a SEQUENCE");
            if (in.readObject() != null) throw Denial.malformed("evidence extension has bytes after its SEQUENCE");
            return s;
        }
    }

    /** A CertificateList is SEQUENCE { tbs SEQUENCE, algorithm SEQUENCE, signature BIT STRING }; the rest is wrapping. */
    private static void collectCrls(ASN1Encodable node, List<byte[]> out, int depth) throws IOException, Denial {
        ASN1Sequence seq = ASN1Sequence.getInstance(node);
        byte[] exact = seq.getEncoded(); // before looking into it: a lazily parsed SEQUENCE gives back its exact bytes
        if (seq.size() == 3 && seq.getObjectAt(0) instanceof ASN1Sequence && seq.getObjectAt(1) instanceof ASN1Sequence
                && seq.getObjectAt(2) instanceof ASN1BitString) {
            out.add(exact);
            return;
        }
        if (depth > 3) throw Denial.malformed("CRL list nests too deep");
        for (ASN1Encodable e : seq) {
            if (e instanceof ASN1String) continue; // the distribution-point URL Enarx stores beside each CRL
            collectCrls(e, out, depth + 1);
        }
    }
}
