package dev.donjon.common;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * PEM (RFC 7468) both ways, once: what Donjon writes (certificates, CA bundles, keys it keeps) and reads (certificate
 * bundles or a DER certificate, unencrypted private keys, public keys). Errors name the source ({@code what}) and say
 * what it lacks on one line; they never quote key material.
 */
public final class Pem {

    private Pem() {}

    /** The PEM text of {@code ders} as blocks of {@code type} ("CERTIFICATE", "PRIVATE KEY", "X509 CRL"), 64 columns. */
    public static String encode(String type, List<byte[]> ders) {
        Base64.Encoder b64 = Base64.getMimeEncoder(64, new byte[] {'\n'});
        StringBuilder s = new StringBuilder();
        for (byte[] der : ders) {
            s.append("-----BEGIN ")
                    .append(type)
                    .append("-----\n")
                    .append(b64.encodeToString(der))
                    .append("\n-----END ")
                    .append(type)
                    .append("-----\n");
        }
        return s.toString();
    }

    /** {@link #encode(String, List)} of one block, as ASCII bytes. */
    public static byte[] encode(String type, byte[] der) {
        return encode(type, List.of(der)).getBytes(StandardCharsets.US_ASCII);
    }

    /** PEM text of certificates (a bundle: leaf or issuer first, as given). */
    public static byte[] certificates(List<byte[]> ders) {
        return encode("CERTIFICATE", ders).getBytes(StandardCharsets.US_ASCII);
    }

    /** True when {@code bytes} look like PEM text rather than DER (a BEGIN line near the start). */
    public static boolean isPem(byte[] bytes) {
        String head = new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.ISO_8859_1);
        return head.contains("-----BEGIN ");
    }

    /** The DER contents of every block of {@code type} in PEM text, in order; blocks of other types are skipped. */
    public static List<byte[]> blocks(byte[] text, String type, String what) throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (PemReader r =
                new PemReader(new InputStreamReader(new ByteArrayInputStream(text), StandardCharsets.US_ASCII))) {
            for (PemObject o; (o = r.readPemObject()) != null; ) {
                if (o.getType().equals(type)) out.add(o.getContent());
            }
        } catch (IOException | RuntimeException e) {
            throw new IOException(what + ": not PEM text (" + OneLine.of(e) + ")", e);
        }
        return out;
    }

    /** Every certificate in {@code bytes}: a PEM bundle (any number) or one DER certificate; at least one. */
    public static List<X509Certificate> certificates(byte[] bytes, String what) throws IOException {
        try {
            List<X509Certificate> certs = new ArrayList<>();
            for (var c :
                    CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes))) {
                certs.add((X509Certificate) c);
            }
            if (certs.isEmpty()) throw new IOException(what + ": holds no certificate");
            return List.copyOf(certs);
        } catch (CertificateException e) {
            throw new IOException(what + ": not a PEM or DER certificate file (" + OneLine.of(e) + ")", e);
        }
    }

    /** The first unencrypted private key in PEM text: PKCS#8 ("PRIVATE KEY") or SEC1/PKCS#1 (which may omit the public key). */
    public static PrivateKey privateKey(byte[] text, String what) throws IOException {
        return first(
                text,
                what,
                "unencrypted PEM private key",
                (o, c) -> o instanceof PrivateKeyInfo k
                        ? c.getPrivateKey(k)
                        : o instanceof PEMKeyPair kp ? c.getPrivateKey(kp.getPrivateKeyInfo()) : null);
    }

    /** The first public key in PEM text: a SubjectPublicKeyInfo ("PUBLIC KEY") or a certificate's. */
    public static PublicKey publicKey(byte[] text, String what) throws IOException {
        return first(
                text,
                what,
                "PEM public key or certificate",
                (o, c) -> o instanceof SubjectPublicKeyInfo k
                        ? c.getPublicKey(k)
                        : o instanceof X509CertificateHolder h ? c.getPublicKey(h.getSubjectPublicKeyInfo()) : null);
    }

    /** What {@code convert} makes of the first PEM object it accepts (returns non-null for). */
    private interface Conversion<T> {
        T convert(Object pem, JcaPEMKeyConverter converter) throws IOException;
    }

    private static <T> T first(byte[] text, String what, String wanted, Conversion<T> convert) throws IOException {
        try (PEMParser p = parser(text)) {
            JcaPEMKeyConverter c = new JcaPEMKeyConverter();
            for (Object o; (o = p.readObject()) != null; ) {
                T t = convert.convert(o, c);
                if (t != null) return t;
            }
        } catch (IOException | RuntimeException e) {
            throw new IOException(what + ": unreadable PEM (" + OneLine.of(e) + ")", e);
        }
        throw new IOException(what + " holds no " + wanted);
    }

    /** {@link #certificates(byte[], String)} of a file, named in errors. */
    public static List<X509Certificate> certificates(Path file) throws IOException {
        return certificates(read(file), file.toString());
    }

    /** {@link #privateKey(byte[], String)} of a file, named in errors. */
    public static PrivateKey privateKey(Path file) throws IOException {
        return privateKey(read(file), file.toString());
    }

    /** {@link #publicKey(byte[], String)} of a file, named in errors. */
    public static PublicKey publicKey(Path file) throws IOException {
        return publicKey(read(file), file.toString());
    }

    private static byte[] read(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file", e);
        }
    }

    private static PEMParser parser(byte[] text) {
        return new PEMParser(new StringReader(new String(text, StandardCharsets.US_ASCII)));
    }
}
