package dev.donjon.abi.csr;

import dev.donjon.abi.FormatException;
import dev.donjon.common.OneLine;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1BitString;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x509.Extension;

/**
 * The (non-critical) CSR extension that carries a Keep's evidence, both directions, byte-compatible with Enarx Keeps
 * and Enarx's Steward:
 * <pre>
 * kvm  1.3.6.1.4.1.58270.1.1  empty (no TEE: proves nothing)
 * snp  1.3.6.1.4.1.58270.1.3  SEQUENCE { SEQUENCE { vcek Certificate, crls CrlList }, report OCTET STRING }
 * sgx  1.3.6.1.4.1.58270.1.2  SEQUENCE { quote OCTET STRING, crls CrlList, tcb TcbPackage }
 * sim  DONJON.4              as snp (the report is SIMULATED, signed by the sim VCEK)
 * tdx  DONJON.3              SEQUENCE { quote OCTET STRING, crls [0] EXPLICIT CrlList OPTIONAL, tcb [1] EXPLICIT TcbPackage OPTIONAL }
 * CrlList    ::= SEQUENCE { SEQUENCE OF SEQUENCE { url UTF8String, crl CertificateList } }   (deeper nesting is read too)
 * TcbPackage ::= SEQUENCE { SEQUENCE OF Certificate, tcbInfo OCTET STRING }
 * </pre>
 * Reading is lazy: a nested SEQUENCE is parsed only when looked into, and certificates and CRLs come out as their
 * exact bytes, which a verifier parses only when it has not validated the same bytes before.
 */
public sealed interface EvidenceExtension {

    ASN1ObjectIdentifier oid();

    /** The DER of the extension's value. */
    byte[] value();

    default Extension toExtension() {
        return new Extension(oid(), false, value());
    }

    /** A CRL as the list carries it: the distribution point it came from (Enarx stores it beside each), and its DER. */
    record Crl(Optional<String> url, byte[] der) {}

    /** The TCB Info and the chain of its issuer (signing certificate, root), as Intel's PCS served them. */
    record TcbPackage(List<byte[]> issuerChain, byte[] tcbInfo) {
        public TcbPackage {
            issuerChain = List.copyOf(issuerChain);
        }
    }

    /** No TEE ({@code nil}, or a KVM Keep in Enarx): an empty value that proves nothing. */
    record Kvm() implements EvidenceExtension {
        @Override
        public ASN1ObjectIdentifier oid() {
            return EvidenceOids.KVM;
        }

        @Override
        public byte[] value() {
            return new byte[0];
        }
    }

    /** SEV-SNP evidence: the report and the VCEK that signed it, with CRLs; under Donjon's sim OID when {@code simulated}. */
    record Snp(boolean simulated, byte[] vcek, List<Crl> crls, byte[] report) implements EvidenceExtension {
        public Snp {
            crls = List.copyOf(crls);
        }

        @Override
        public ASN1ObjectIdentifier oid() {
            return simulated ? EvidenceOids.SIM : EvidenceOids.SNP;
        }

        @Override
        public byte[] value() {
            return der(new DERSequence(new ASN1Encodable[] {
                new DERSequence(new ASN1Encodable[] {primitive(vcek), crlList(crls)}), new DEROctetString(report)
            }));
        }
    }

    /** An SGX quote with the CRLs and TCB package Enarx's Steward needs to verify it offline. */
    record Sgx(byte[] quote, List<Crl> crls, TcbPackage tcb) implements EvidenceExtension {
        public Sgx {
            crls = List.copyOf(crls);
        }

        @Override
        public ASN1ObjectIdentifier oid() {
            return EvidenceOids.SGX;
        }

        @Override
        public byte[] value() {
            return der(
                    new DERSequence(new ASN1Encodable[] {new DEROctetString(quote), crlList(crls), tcbPackage(tcb)}));
        }
    }

    /** A TDX quote; CRLs and the TCB package are optional (a verifier with access to Intel's PCS can fetch them). */
    record Tdx(byte[] quote, Optional<List<Crl>> crls, Optional<TcbPackage> tcb) implements EvidenceExtension {
        @Override
        public ASN1ObjectIdentifier oid() {
            return EvidenceOids.TDX;
        }

        @Override
        public byte[] value() {
            ASN1EncodableVector v = new ASN1EncodableVector();
            v.add(new DEROctetString(quote));
            crls.ifPresent(c -> v.add(new DERTaggedObject(true, 0, crlList(c))));
            tcb.ifPresent(t -> v.add(new DERTaggedObject(true, 1, tcbPackage(t))));
            return der(new DERSequence(v));
        }
    }

    /** The OIDs of the kinds of evidence, in Enarx's order then Donjon's. */
    List<ASN1ObjectIdentifier> OIDS =
            List.of(EvidenceOids.KVM, EvidenceOids.SGX, EvidenceOids.SNP, EvidenceOids.TDX, EvidenceOids.SIM);

    /** Reads an evidence extension of any kind; an unknown OID or a value not of its kind's form is refused. */
    static EvidenceExtension parse(Extension extension) throws FormatException {
        ASN1ObjectIdentifier oid = extension.getExtnId();
        byte[] value = extension.getExtnValue().getOctets();
        if (oid.equals(EvidenceOids.KVM)) return new Kvm();
        if (oid.equals(EvidenceOids.SNP) || oid.equals(EvidenceOids.SIM))
            return Reader.snp(value, oid.equals(EvidenceOids.SIM));
        if (oid.equals(EvidenceOids.SGX)) return Reader.sgx(value);
        if (oid.equals(EvidenceOids.TDX)) return Reader.tdx(value);
        throw new FormatException("extension " + oid + " is not an evidence extension");
    }

    /** A CrlList as a host caches it for its Keeps (Enarx's {@code crls.der}, {@link HostCollateralFiles#CRLS}). */
    static List<Crl> parseCrlList(byte[] der) throws FormatException {
        try {
            List<Crl> out = new ArrayList<>();
            Reader.collectCrls(Reader.sequence(der, "CRL list"), Optional.empty(), out, 0);
            return out;
        } catch (IOException | RuntimeException e) {
            throw new FormatException("CRL list does not parse: " + OneLine.of(e));
        }
    }

    /** A TcbPackage as a host caches it for its Keeps (Enarx's {@code tcb.der}, {@link HostCollateralFiles#SGX_TCB}). */
    static TcbPackage parseTcbPackage(byte[] der, String tee) throws FormatException {
        try {
            return Reader.tcbPackage(Reader.sequence(der, tee + " TCB package"), tee);
        } catch (IOException | RuntimeException e) {
            throw new FormatException(tee + " TCB package does not parse: " + OneLine.of(e));
        }
    }

    /** The DER of a CrlList, as a host caches it for its Keeps ({@link HostCollateralFiles#CRLS}) and a CSR carries it. */
    static byte[] encodeCrlList(List<Crl> crls) {
        return der(crlList(crls));
    }

    /** The DER of a TcbPackage, as a host caches it for its Keeps ({@link HostCollateralFiles#SGX_TCB}, {@code TDX_TCB}). */
    static byte[] encodeTcbPackage(TcbPackage tcb) {
        return der(tcbPackage(tcb));
    }

    private static ASN1Encodable crlList(List<Crl> crls) {
        ASN1EncodableVector entries = new ASN1EncodableVector();
        for (Crl c : crls) {
            ASN1EncodableVector entry = new ASN1EncodableVector();
            c.url().ifPresent(u -> entry.add(new DERUTF8String(u)));
            entry.add(primitive(c.der()));
            entries.add(new DERSequence(entry));
        }
        return new DERSequence(new DERSequence(entries));
    }

    private static ASN1Encodable tcbPackage(TcbPackage t) {
        ASN1EncodableVector chain = new ASN1EncodableVector();
        for (byte[] c : t.issuerChain()) chain.add(primitive(c));
        return new DERSequence(new ASN1Encodable[] {new DERSequence(chain), new DEROctetString(t.tcbInfo())});
    }

    private static ASN1Primitive primitive(byte[] der) {
        try {
            return ASN1Primitive.fromByteArray(der);
        } catch (IOException e) {
            throw new IllegalArgumentException("not DER: " + e.getMessage(), e);
        }
    }

    private static byte[] der(ASN1Encodable value) {
        try {
            return value.toASN1Primitive().getEncoded("DER");
        } catch (IOException e) {
            throw new IllegalStateException("DER encoding in memory failed", e);
        }
    }

    /** The reading half: the forms above, with the message of each refusal naming what is wrong. */
    final class Reader {

        private Reader() {}

        static Snp snp(byte[] value, boolean simulated) throws FormatException {
            try {
                ASN1Sequence evidence = sequence(value, "evidence extension");
                if (evidence.size() != 2) throw new FormatException("SNP evidence must hold endorsements and a report");
                ASN1Sequence endorsements = ASN1Sequence.getInstance(evidence.getObjectAt(0));
                if (endorsements.size() < 1) throw new FormatException("SNP evidence carries no VCEK");
                byte[] vcek = endorsements.getObjectAt(0).toASN1Primitive().getEncoded(); // exact bytes, still unparsed
                List<Crl> crls = new ArrayList<>();
                for (int i = 1; i < endorsements.size(); i++)
                    collectCrls(endorsements.getObjectAt(i), Optional.empty(), crls, 0);
                byte[] report =
                        ASN1OctetString.getInstance(evidence.getObjectAt(1)).getOctets();
                return new Snp(simulated, vcek, crls, report);
            } catch (IOException | RuntimeException e) {
                throw new FormatException("SNP evidence extension does not parse: " + OneLine.of(e));
            }
        }

        static Sgx sgx(byte[] value) throws FormatException {
            try {
                ASN1Sequence evidence = sequence(value, "evidence extension");
                if (evidence.size() != 3)
                    throw new FormatException("SGX evidence must hold a quote, CRLs and a TCB package");
                byte[] quote =
                        ASN1OctetString.getInstance(evidence.getObjectAt(0)).getOctets();
                List<Crl> crls = new ArrayList<>();
                collectCrls(evidence.getObjectAt(1), Optional.empty(), crls, 0);
                return new Sgx(quote, crls, tcbPackage(evidence.getObjectAt(2), "SGX"));
            } catch (IOException | RuntimeException e) {
                throw new FormatException("SGX evidence extension does not parse: " + OneLine.of(e));
            }
        }

        static Tdx tdx(byte[] value) throws FormatException {
            try {
                ASN1Sequence evidence = sequence(value, "evidence extension");
                if (evidence.size() < 1 || evidence.size() > 3) {
                    throw new FormatException("TDX evidence must hold a quote and optional CRLs and TCB package");
                }
                byte[] quote =
                        ASN1OctetString.getInstance(evidence.getObjectAt(0)).getOctets();
                Optional<List<Crl>> crls = Optional.empty();
                Optional<TcbPackage> tcb = Optional.empty();
                int lastTag = -1;
                for (int i = 1; i < evidence.size(); i++) {
                    ASN1TaggedObject t = ASN1TaggedObject.getInstance(evidence.getObjectAt(i));
                    if (t.getTagNo() <= lastTag || t.getTagNo() > 1) {
                        throw new FormatException("TDX evidence has an unexpected element [" + t.getTagNo() + "]");
                    }
                    lastTag = t.getTagNo();
                    if (t.getTagNo() == 0) {
                        List<Crl> list = new ArrayList<>();
                        collectCrls(t.getExplicitBaseObject(), Optional.empty(), list, 0);
                        crls = Optional.of(list);
                    } else {
                        tcb = Optional.of(tcbPackage(t.getExplicitBaseObject(), "TDX"));
                    }
                }
                return new Tdx(quote, crls, tcb);
            } catch (IOException | RuntimeException e) {
                throw new FormatException("TDX evidence extension does not parse: " + OneLine.of(e));
            }
        }

        /** TcbPackage ::= SEQUENCE { SEQUENCE OF Certificate (the TCB Info issuer chain), tcbInfo OCTET STRING }. */
        static TcbPackage tcbPackage(ASN1Encodable node, String tee) throws IOException, FormatException {
            ASN1Sequence tcb = ASN1Sequence.getInstance(node);
            if (tcb.size() != 2)
                throw new FormatException(tee + " TCB package must hold the issuer chain and the TCB Info");
            List<byte[]> chain = new ArrayList<>();
            for (ASN1Encodable c : ASN1Sequence.getInstance(tcb.getObjectAt(0)))
                chain.add(c.toASN1Primitive().getEncoded("DER"));
            return new TcbPackage(
                    chain, ASN1OctetString.getInstance(tcb.getObjectAt(1)).getOctets());
        }

        /** One DER SEQUENCE and nothing after it, parsed lazily. */
        static ASN1Sequence sequence(byte[] der, String what) throws IOException, FormatException {
            try (ASN1InputStream in = new ASN1InputStream(der, true)) {
                ASN1Primitive p = in.readObject();
                if (!(p instanceof ASN1Sequence s)) throw new FormatException(what + " is not a SEQUENCE");
                if (in.readObject() != null) throw new FormatException(what + " has bytes after its SEQUENCE");
                return s;
            }
        }

        /**
         * A CertificateList is SEQUENCE { tbs SEQUENCE, algorithm SEQUENCE, signature BIT STRING }; the rest is wrapping,
         * in which a string is the distribution-point URL Enarx stores before each CRL.
         */
        static void collectCrls(ASN1Encodable node, Optional<String> url, List<Crl> out, int depth)
                throws IOException, FormatException {
            ASN1Sequence seq = ASN1Sequence.getInstance(node);
            byte[] exact =
                    seq.getEncoded(); // before looking into it: a lazily parsed SEQUENCE gives back its exact bytes
            if (seq.size() == 3
                    && seq.getObjectAt(0) instanceof ASN1Sequence
                    && seq.getObjectAt(1) instanceof ASN1Sequence
                    && seq.getObjectAt(2) instanceof ASN1BitString) {
                out.add(new Crl(url, exact));
                return;
            }
            if (depth > 3) throw new FormatException("CRL list nests too deep");
            Optional<String> lastUrl = Optional.empty();
            for (ASN1Encodable e : seq) {
                if (e instanceof ASN1String s) {
                    lastUrl = Optional.of(s.getString());
                    continue;
                }
                collectCrls(e, lastUrl, out, depth + 1);
                lastUrl = Optional.empty();
            }
        }
    }
}
