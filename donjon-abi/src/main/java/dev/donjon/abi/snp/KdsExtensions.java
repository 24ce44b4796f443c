package dev.donjon.abi.snp;

import dev.donjon.abi.FormatException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;

/**
 * The AMD KDS extensions of a VCEK/VLEK: product name, the TCB it was issued for, and (VCEK only) the chip's hwID.
 * Two encodings exist in the field: SPLs as DER INTEGERs of one or two bytes, and the hwID either raw in the
 * extension's OCTET STRING or wrapped once more in an inner OCTET STRING (newer KDS); both are accepted.
 */
public record KdsExtensions(
        Optional<String> productName,
        OptionalInt blSpl,
        OptionalInt teeSpl,
        OptionalInt snpSpl,
        OptionalInt ucodeSpl,
        OptionalInt fmcSpl,
        Optional<byte[]> hwId) {

    /** AMD's arc for the KDS certificate extensions. */
    public static final ASN1ObjectIdentifier KDS = new ASN1ObjectIdentifier("1.3.6.1.4.1.3704.1");

    private static final String AMD = KDS.getId() + ".";
    public static final ASN1ObjectIdentifier STRUCT_VERSION = new ASN1ObjectIdentifier(AMD + "1");
    public static final ASN1ObjectIdentifier PRODUCT_NAME = new ASN1ObjectIdentifier(AMD + "2");
    public static final ASN1ObjectIdentifier BL_SPL = new ASN1ObjectIdentifier(AMD + "3.1");
    public static final ASN1ObjectIdentifier TEE_SPL = new ASN1ObjectIdentifier(AMD + "3.2");
    public static final ASN1ObjectIdentifier SNP_SPL = new ASN1ObjectIdentifier(AMD + "3.3");
    public static final ASN1ObjectIdentifier UCODE_SPL = new ASN1ObjectIdentifier(AMD + "3.8");
    public static final ASN1ObjectIdentifier FMC_SPL = new ASN1ObjectIdentifier(AMD + "3.9");
    public static final ASN1ObjectIdentifier HW_ID = new ASN1ObjectIdentifier(AMD + "4");

    /** SPL3.4 to SPL3.7: reserved TCB components AMD's KDS writes as 0 in every VCEK. */
    private static final List<ASN1ObjectIdentifier> RESERVED_SPLS = List.of(
            new ASN1ObjectIdentifier(AMD + "3.4"),
            new ASN1ObjectIdentifier(AMD + "3.5"),
            new ASN1ObjectIdentifier(AMD + "3.6"),
            new ASN1ObjectIdentifier(AMD + "3.7"));

    /**
     * The extensions of a VCEK (with {@code hwId}) or VLEK (without) as AMD's KDS writes them: structVersion 0, the
     * product name as an IA5String (stepping B0: "Milan-B0"), each SPL as a DER INTEGER (the reserved ones 0; fmcSPL only for Turin),
     * and the hwID's raw bytes as the extension value (not wrapped in a DER OCTET STRING).
     */
    public static void write(
            X509v3CertificateBuilder certificate, ProductLine product, TcbVersion tcb, Optional<byte[]> hwId)
            throws CertIOException {
        certificate.addExtension(STRUCT_VERSION, false, new ASN1Integer(0));
        certificate.addExtension(PRODUCT_NAME, false, new DERIA5String(product.kdsName() + "-B0"));
        certificate.addExtension(BL_SPL, false, new ASN1Integer(tcb.bootloader()));
        certificate.addExtension(TEE_SPL, false, new ASN1Integer(tcb.tee()));
        for (ASN1ObjectIdentifier reserved : RESERVED_SPLS)
            certificate.addExtension(reserved, false, new ASN1Integer(0));
        certificate.addExtension(SNP_SPL, false, new ASN1Integer(tcb.snp()));
        certificate.addExtension(UCODE_SPL, false, new ASN1Integer(tcb.microcode()));
        if (product == ProductLine.TURIN) certificate.addExtension(FMC_SPL, false, new ASN1Integer(tcb.fmc()));
        if (hwId.isPresent()) certificate.addExtension(new Extension(HW_ID, false, hwId.get()));
    }

    /** The hwID extension's value as written (raw, or the inner OCTET STRING's content when wrapped). */
    public static Optional<byte[]> hwIdOf(X509CertificateHolder cert) {
        return hwId(cert);
    }

    public static KdsExtensions of(X509CertificateHolder cert) throws FormatException {
        return new KdsExtensions(
                productName(cert),
                spl(cert, BL_SPL, "blSPL"),
                spl(cert, TEE_SPL, "teeSPL"),
                spl(cert, SNP_SPL, "snpSPL"),
                spl(cert, UCODE_SPL, "ucodeSPL"),
                spl(cert, FMC_SPL, "fmcSPL"),
                hwId(cert));
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

    private static OptionalInt spl(X509CertificateHolder cert, ASN1ObjectIdentifier oid, String name)
            throws FormatException {
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
                throw new FormatException("VCEK extension " + name + " is not an INTEGER");
            }
        }
        if (n.signum() < 0 || n.bitLength() > 8) {
            throw new FormatException("VCEK extension " + name + " out of range: " + n);
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
