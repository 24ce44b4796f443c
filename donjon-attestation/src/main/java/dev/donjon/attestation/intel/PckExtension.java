package dev.donjon.attestation.intel;

import dev.donjon.attestation.MalformedEvidenceException;
import dev.donjon.common.OneLine;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;

/**
 * The Intel SGX extension of a PCK certificate (OID 1.2.840.113741.1.13.1): the platform's FMSPC, PCE-ID and the
 * TCB it was certified at (16 CPU SVN components and the PCESVN).
 */
record PckExtension(byte[] fmspc, byte[] pceId, int[] tcbComponents, int pceSvn) {
    static final String OID = "1.2.840.113741.1.13.1";
    private static final String TCB = OID + ".2";
    private static final String PCEID = OID + ".3";
    private static final String FMSPC = OID + ".4";

    static PckExtension of(X509Certificate pck) throws MalformedEvidenceException {
        byte[] ext = pck.getExtensionValue(OID);
        if (ext == null) throw new MalformedEvidenceException("PCK certificate has no SGX extension " + OID);
        try {
            ASN1Sequence seq =
                    ASN1Sequence.getInstance(ASN1OctetString.getInstance(ext).getOctets());
            byte[] fmspc = null;
            byte[] pceId = null;
            int[] comps = null;
            int pceSvn = -1;
            for (ASN1Encodable e : seq) {
                ASN1Sequence entry = ASN1Sequence.getInstance(e);
                String oid =
                        ASN1ObjectIdentifier.getInstance(entry.getObjectAt(0)).getId();
                ASN1Primitive value = entry.getObjectAt(1).toASN1Primitive();
                switch (oid) {
                    case FMSPC -> fmspc = ASN1OctetString.getInstance(value).getOctets();
                    case PCEID -> pceId = ASN1OctetString.getInstance(value).getOctets();
                    case TCB -> {
                        comps = new int[16];
                        java.util.Arrays.fill(comps, -1);
                        for (ASN1Encodable t : ASN1Sequence.getInstance(value)) {
                            ASN1Sequence c = ASN1Sequence.getInstance(t);
                            String cid = ASN1ObjectIdentifier.getInstance(c.getObjectAt(0))
                                    .getId();
                            if (!cid.startsWith(TCB + ".")) continue;
                            int n = Integer.parseInt(cid.substring(TCB.length() + 1));
                            if (n >= 1 && n <= 16) comps[n - 1] = smallInt(c.getObjectAt(1), 255);
                            else if (n == 17) pceSvn = smallInt(c.getObjectAt(1), 65535);
                        }
                    }
                    default -> {}
                }
            }
            if (fmspc == null || fmspc.length != 6)
                throw new MalformedEvidenceException("PCK SGX extension lacks a 6-byte FMSPC");
            if (pceId == null || pceId.length != 2)
                throw new MalformedEvidenceException("PCK SGX extension lacks a 2-byte PCE-ID");
            if (comps == null || pceSvn < 0) throw new MalformedEvidenceException("PCK SGX extension lacks the TCB");
            for (int c : comps)
                if (c < 0) throw new MalformedEvidenceException("PCK SGX extension lacks a TCB component SVN");
            return new PckExtension(fmspc, pceId, comps, pceSvn);
        } catch (IllegalArgumentException | IllegalStateException | ClassCastException | IndexOutOfBoundsException e) {
            throw new MalformedEvidenceException("PCK SGX extension cannot be parsed: " + OneLine.of(e));
        }
    }

    private static int smallInt(ASN1Encodable v, int max) throws MalformedEvidenceException {
        java.math.BigInteger b = ASN1Integer.getInstance(v).getValue();
        if (b.signum() < 0 || b.compareTo(java.math.BigInteger.valueOf(max)) > 0) {
            throw new MalformedEvidenceException("PCK SGX extension SVN " + b + " out of range");
        }
        return b.intValue();
    }
}
