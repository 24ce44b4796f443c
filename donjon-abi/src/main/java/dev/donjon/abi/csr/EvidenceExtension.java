package dev.donjon.platform.identity;

import dev.donjon.platform.Backend;
import dev.donjon.platform.Evidence;
import dev.donjon.platform.PlatformException;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.Extension;

import java.io.IOException;

/**
 * Encodes evidence as the (non-critical) CSR extension Enarx's Steward reads, byte-compatible with Enarx Keeps:
 * <pre>
 * nil  1.3.6.1.4.1.58270.1.1  empty
 * snp  1.3.6.1.4.1.58270.1.3  SEQUENCE { SEQUENCE { vcek Certificate, crls CrlList }, report OCTET STRING }
 * sgx  1.3.6.1.4.1.58270.1.2  SEQUENCE { quote OCTET STRING, crls CrlList, tcb TcbPackage }
 * sim  DONJON.4              as snp (the report is SIMULATED, signed by the sim VCEK)
 * tdx  DONJON.3              SEQUENCE { quote OCTET STRING, crls [0] EXPLICIT CrlList OPTIONAL, tcb [1] EXPLICIT TcbPackage OPTIONAL }
 * CrlList    ::= SEQUENCE { SEQUENCE OF SEQUENCE { url UTF8String, crl CertificateList } }
 * TcbPackage ::= SEQUENCE { SEQUENCE OF Certificate, tcbInfo OCTET STRING }
 * </pre>
 */
public final class EvidenceExtension {

    /** An empty CrlList: SEQUENCE { SEQUENCE OF {} }. */
    private static final DERSequence NO_CRLS = new DERSequence(new DERSequence());

    private EvidenceExtension() {}

    public static Extension encode(Evidence evidence, CachedCollateral collateral) throws PlatformException {
        try {
            return switch (evidence) {
                case Evidence.None ignored -> new Extension(EvidenceOids.KVM, false, new byte[0]);
                case Evidence.SnpReport snp -> new Extension(snp.backend() == Backend.SIM ? EvidenceOids.SIM : EvidenceOids.SNP, false,
                        snp(snp, collateral).getEncoded("DER"));
                case Evidence.IntelQuote q when q.backend() == Backend.SGX -> new Extension(EvidenceOids.SGX, false, sgx(q, collateral).getEncoded("DER"));
                case Evidence.IntelQuote q -> new Extension(EvidenceOids.TDX, false, tdx(q, collateral).getEncoded("DER"));
            };
        } catch (IOException e) {
            throw new PlatformException("cannot encode " + evidence.backend() + " evidence: " + e.getMessage(), e);
        }
    }

    private static DERSequence snp(Evidence.SnpReport snp, CachedCollateral collateral) throws PlatformException, IOException {
        byte[] vcek = snp.vcek().or(collateral::amdVcek).orElseThrow(() -> new PlatformException(
                "the host supplied no VCEK (configfs auxblob has none and there is no vcek.der in the AMD cache directory); "
                        + "a Steward cannot verify SNP evidence without it"));
        ASN1Encodable crls = snp.backend() == Backend.SIM ? NO_CRLS : collateral.amdCrls().map(EvidenceExtension::der).orElse(NO_CRLS);
        ASN1EncodableVector endorsements = new ASN1EncodableVector();
        endorsements.add(Certificate.getInstance(ASN1Primitive.fromByteArray(vcek)));
        endorsements.add(crls);
        return new DERSequence(new ASN1Encodable[] {new DERSequence(endorsements), new DEROctetString(snp.report())});
    }

    private static DERSequence sgx(Evidence.IntelQuote q, CachedCollateral collateral) throws PlatformException {
        ASN1Encodable crls = collateral.intelCrls().map(EvidenceExtension::der).orElseThrow(() -> new PlatformException(
                "no Intel CRLs cached (crls.der in the Intel cache directory): an Enarx-compatible SGX CSR must carry them"));
        ASN1Encodable tcb = collateral.sgxTcb().map(EvidenceExtension::der).orElseThrow(() -> new PlatformException(
                "no SGX TCB package cached (tcb.der in the Intel cache directory): an Enarx-compatible SGX CSR must carry it"));
        return new DERSequence(new ASN1Encodable[] {new DEROctetString(q.quote()), crls, tcb});
    }

    private static DERSequence tdx(Evidence.IntelQuote q, CachedCollateral collateral) {
        ASN1EncodableVector v = new ASN1EncodableVector();
        v.add(new DEROctetString(q.quote()));
        collateral.intelCrls().ifPresent(c -> v.add(new DERTaggedObject(true, 0, der(c))));
        collateral.tdxTcb().ifPresent(t -> v.add(new DERTaggedObject(true, 1, der(t))));
        return new DERSequence(v);
    }

    private static ASN1Primitive der(byte[] bytes) {
        try {
            return ASN1Primitive.fromByteArray(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("cached collateral is not DER", e); // CachedCollateral checked it already
        }
    }
}
