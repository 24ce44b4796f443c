package dev.donjon.attestation.snp;

import dev.donjon.attestation.MalformedEvidenceException;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CertificateHolder;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The AMD KDS extensions of a VCEK/VLEK: product name, the TCB it was issued for, and (VCEK only) the chip's hwID.
 * Two encodings exist in the field: SPLs as DER INTEGERs of one or two bytes, and the hwID either raw in the
 * extension's OCTET STRING or wrapped once more in an inner OCTET STRING (newer KDS); both are accepted.
 */
public record KdsExtensions(Optional<String> productName, OptionalInt blSpl, OptionalInt teeSpl, OptionalInt snpSpl,
                            OptionalInt ucodeSpl, OptionalInt fmcSpl, Optional<byte[]> hwId) {

    private static final String AMD = "1.3.6.1.4.1.3704.1.";
    static final ASN1ObjectIdentifier PRODUCT_NAME = new ASN1ObjectIdentifier(AMD + "2");
    static final ASN1ObjectIdentifier BL_SPL = new ASN1ObjectIdentifier(AMD + "3.1");
    static final ASN1ObjectIdentifier TEE_SPL = new ASN1ObjectIdentifier(AMD + "3.2");
    static final ASN1ObjectIdentifier SNP_SPL = new ASN1ObjectIdentifier(AMD + "3.3");
    static final ASN1ObjectIdentifier UCODE_SPL = new ASN1ObjectIdentifier(AMD + "3.8");
    static final ASN1ObjectIdentifier FMC_SPL = new ASN1ObjectIdentifier(AMD + "3.9");
    static final ASN1ObjectIdentifier HW_ID = new ASN1ObjectIdentifier(AMD + "4");

    public static KdsExtensions of(X509CertificateHolder cert) throws MalformedEvidenceException {
        return new KdsExtensions(productName(cert), spl(cert, BL_SPL, "blSPL"), spl(cert, TEE_SPL, "teeSPL"),
                spl(cert, SNP_SPL, "snpSPL"), spl(cert, UCODE_SPL, "ucodeSPL"), spl(cert, FMC_SPL, "fmcSPL"), hwId(cert));
    }

    private static Optional<byte[]> value(X509CertificateHolder cert, ASN1ObjectIdentifier oid) {
        Extension e = cert.getExtension(oid);
        return e == null ? Optional.empty() : Optional.of(e.getExtnValue().getOctets());
    }

    private static Optional<String> productName(X509CertificateHolder cert) {
        return value(cert, PRODUCT_NAME).map(v -> {
            try {
                if (ASN1Primitive.fromByteArray(v) instanceof ASN1String s) return s.getString();
            } catch (java.io.IOException | RuntimeException notDer) {
                // some issuers put the bare text in the extension
            }
            return new String(v, StandardCharsets.US_ASCII);
        });
    }

    private static OptionalInt spl(X509CertificateHolder cert, ASN1ObjectIdentifier oid, String name) throws MalformedEvidenceException {
        Optional<byte[]> v = value(cert, oid);
        if (v.isEmpty()) return OptionalInt.empty();
        byte[] octets = v.get();
        BigInteger n;
        if (octets.length == 1) {
            n = BigInteger.valueOf(octets[0] & 0xFF);
        } else {
            try {
                n = ASN1Integer.getInstance(ASN1Primitive.fromByteArray(octets)).getValue();
            } catch (java.io.IOException | RuntimeException e) {
                throw new MalformedEvidenceException("VCEK extension " + name + " is not an INTEGER");
            }
        }
        if (n.signum() < 0 || n.bitLength() > 8) {
            throw new MalformedEvidenceException("VCEK extension " + name + " out of range: " + n);
        }
        return OptionalInt.of(n.intValue());
    }

    private static Optional<byte[]> hwId(X509CertificateHolder cert) {
        return value(cert, HW_ID).map(v -> {
            if (v.length == 64 || v.length == 8) return v;
            try {
                if (ASN1Primitive.fromByteArray(v) instanceof ASN1OctetString inner) return inner.getOctets();
            } catch (java.io.IOException | RuntimeException notWrapped) {
                // not the wrapped encoding: compare the raw bytes
            }
            return v;
        });
    }
}
