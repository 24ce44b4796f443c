package dev.donjon.attestation.snp;

import dev.donjon.attestation.MalformedEvidenceException;
import dev.donjon.common.OneLine;
import dev.donjon.common.Pem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.CertificateList;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * Certificates and CRLs as files come: DER (one or several concatenated) or PEM, detected by content.
 * BouncyCastle's holders are used because they keep the exact DER and accept AMD's serial-0 VCEKs.
 */
final class CertificateFiles {

    private CertificateFiles() {}

    static List<X509CertificateHolder> certificates(byte[] bytes, String what) throws MalformedEvidenceException {
        List<X509CertificateHolder> out = new ArrayList<>();
        try {
            if (Pem.isPem(bytes)) {
                for (byte[] der : Pem.blocks(bytes, "CERTIFICATE", what)) out.add(new X509CertificateHolder(der));
            } else {
                for (ASN1Primitive p : derObjects(bytes))
                    out.add(new X509CertificateHolder(Certificate.getInstance(p)));
            }
        } catch (IOException | RuntimeException e) {
            throw new MalformedEvidenceException(what + " is not a certificate: " + OneLine.of(e));
        }
        if (out.isEmpty()) throw new MalformedEvidenceException(what + " holds no certificate");
        return out;
    }

    /** The first certificate; for DER, bytes after it (padding in a GHCB table entry) are not read. */
    static X509CertificateHolder firstCertificate(byte[] bytes, String what) throws MalformedEvidenceException {
        if (Pem.isPem(bytes)) return certificates(bytes, what).getFirst();
        try (ASN1InputStream in = new ASN1InputStream(bytes)) {
            ASN1Primitive p = in.readObject();
            if (p == null) throw new MalformedEvidenceException(what + " holds no certificate");
            return new X509CertificateHolder(Certificate.getInstance(p));
        } catch (IOException | RuntimeException e) {
            throw new MalformedEvidenceException(what + " is not a certificate: " + OneLine.of(e));
        }
    }

    static List<X509CRLHolder> crls(byte[] bytes, String what) throws MalformedEvidenceException {
        List<X509CRLHolder> out = new ArrayList<>();
        try {
            if (Pem.isPem(bytes)) {
                for (byte[] der : Pem.blocks(bytes, "X509 CRL", what)) out.add(new X509CRLHolder(der));
            } else {
                for (ASN1Primitive p : derObjects(bytes)) out.add(new X509CRLHolder(CertificateList.getInstance(p)));
            }
        } catch (IOException | RuntimeException e) {
            throw new MalformedEvidenceException(what + " is not a CRL: " + OneLine.of(e));
        }
        if (out.isEmpty()) throw new MalformedEvidenceException(what + " holds no CRL");
        return out;
    }

    private static List<ASN1Primitive> derObjects(byte[] bytes) throws IOException {
        List<ASN1Primitive> out = new ArrayList<>();
        try (ASN1InputStream in = new ASN1InputStream(bytes)) {
            for (ASN1Primitive p; (p = in.readObject()) != null; ) out.add(p);
        }
        return out;
    }
}
