package dev.donjon.attestation.intel;

import dev.donjon.attestation.MalformedEvidenceException;
import dev.donjon.common.OneLine;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Certificates and CRLs from the shapes Intel ships them in: PEM bundles (possibly NUL-terminated), or DER. */
final class Certificates {
    private static final String BEGIN = "-----BEGIN ";
    private static final String END = "-----END ";

    private Certificates() {}

    static boolean isPem(byte[] data) {
        return new String(data, StandardCharsets.ISO_8859_1).contains("-----BEGIN ");
    }

    /** Every PEM block of the given label (e.g. CERTIFICATE, X509 CRL), decoded, in order. */
    static List<byte[]> pemBlocks(byte[] data, String label) throws MalformedEvidenceException {
        String text = new String(data, StandardCharsets.ISO_8859_1);
        String begin = BEGIN + label + "-----";
        String end = END + label + "-----";
        List<byte[]> out = new ArrayList<>();
        int from = 0;
        while (true) {
            int b = text.indexOf(begin, from);
            if (b < 0) break;
            // search past the BEGIN line: its closing dashes may start an END marker (found by fuzzing)
            int e = text.indexOf(end, b + begin.length());
            if (e < 0) throw new MalformedEvidenceException("PEM " + label + " block without END line");
            try {
                out.add(Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e)));
            } catch (IllegalArgumentException ex) {
                throw new MalformedEvidenceException("PEM " + label + " block is not valid base64");
            }
            from = e + end.length();
        }
        return out;
    }

    static X509Certificate certificate(byte[] der) throws MalformedEvidenceException {
        try {
            return (X509Certificate)
                    CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException | RuntimeException e) {
            throw new MalformedEvidenceException("certificate cannot be parsed: " + OneLine.of(e));
        }
    }

    /** One certificate from DER or PEM (the first PEM block). */
    static X509Certificate oneCertificate(byte[] derOrPem, String what) throws MalformedEvidenceException {
        if (isPem(derOrPem)) {
            List<byte[]> blocks = pemBlocks(derOrPem, "CERTIFICATE");
            if (blocks.isEmpty()) throw new MalformedEvidenceException(what + " holds no PEM certificate");
            return certificate(blocks.getFirst());
        }
        return certificate(derOrPem);
    }

    /** The DER bytes of one certificate given as DER or PEM (first PEM block), checked to parse. */
    static byte[] oneDer(byte[] derOrPem, String what) throws MalformedEvidenceException {
        byte[] der = derOrPem;
        if (isPem(derOrPem)) {
            List<byte[]> blocks = pemBlocks(derOrPem, "CERTIFICATE");
            if (blocks.isEmpty()) throw new MalformedEvidenceException(what + " holds no PEM certificate");
            der = blocks.getFirst();
        }
        certificate(der);
        return der;
    }

    /** DER of every certificate: a PEM bundle, or concatenated DER certificates. */
    static List<byte[]> certificateDers(byte[] data, String what) throws MalformedEvidenceException {
        if (isPem(data)) {
            List<byte[]> blocks = pemBlocks(data, "CERTIFICATE");
            if (blocks.isEmpty()) throw new MalformedEvidenceException(what + " holds no PEM certificate");
            return blocks;
        }
        List<byte[]> out = new ArrayList<>();
        int pos = 0;
        while (pos < data.length && data[pos] != 0) {
            int len = derLength(data, pos, what);
            out.add(java.util.Arrays.copyOfRange(data, pos, pos + len));
            pos += len;
        }
        if (out.isEmpty()) throw new MalformedEvidenceException(what + " holds no certificate");
        return out;
    }

    /** Total length (header + content) of the DER SEQUENCE at pos. */
    private static int derLength(byte[] d, int pos, String what) throws MalformedEvidenceException {
        if (pos + 2 > d.length || d[pos] != 0x30)
            throw new MalformedEvidenceException(what + " is neither PEM nor DER certificates");
        int first = d[pos + 1] & 0xff;
        int header = 2;
        long len;
        if (first < 0x80) {
            len = first;
        } else {
            int n = first & 0x7f;
            if (n == 0 || n > 3 || pos + 2 + n > d.length)
                throw new MalformedEvidenceException(what + " has a bad DER length");
            len = 0;
            for (int i = 0; i < n; i++) len = len << 8 | (d[pos + 2 + i] & 0xff);
            header += n;
        }
        if (pos + header + len > d.length)
            throw new MalformedEvidenceException(what + " has a truncated DER certificate");
        return (int) (header + len);
    }

    static X509CRL crl(byte[] derOrPem) throws MalformedEvidenceException {
        byte[] der = derOrPem;
        if (isPem(derOrPem)) {
            List<byte[]> blocks = pemBlocks(derOrPem, "X509 CRL");
            if (blocks.isEmpty()) throw new MalformedEvidenceException("PEM CRL file holds no X509 CRL block");
            der = blocks.getFirst();
        }
        try {
            return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
        } catch (CRLException | CertificateException | RuntimeException e) {
            throw new MalformedEvidenceException("CRL cannot be parsed: " + OneLine.of(e));
        }
    }
}
