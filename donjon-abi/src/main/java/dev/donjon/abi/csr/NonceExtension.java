package dev.donjon.abi.csr;

import dev.donjon.abi.ReportData;
import java.io.IOException;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x509.Extension;

/**
 * The CSR extension that names the Steward nonce a Keep's evidence binds: OID {@link EvidenceOids#STEWARD_NONCE},
 * non-critical (a Steward that does not know it ignores it, and then the key binding fails: the report data's tail is
 * not zero), value {@code OCTET STRING} (the nonce, 16 to 64 bytes). Both directions here.
 */
public final class NonceExtension {

    private NonceExtension() {}

    public static Extension encode(byte[] nonce) {
        if (nonce.length < ReportData.MIN_NONCE || nonce.length > ReportData.MAX_NONCE) {
            throw new IllegalArgumentException(
                    "a Steward nonce must be " + ReportData.MIN_NONCE + " to " + ReportData.MAX_NONCE + " bytes");
        }
        try {
            return new Extension(EvidenceOids.STEWARD_NONCE, false, new DEROctetString(nonce).getEncoded());
        } catch (IOException e) {
            throw new IllegalStateException("an OCTET STRING does not encode", e);
        }
    }

    /**
     * @return the nonce, or empty if {@code ext} is another extension
     * @throws IllegalArgumentException the extension is this one but its value is not a DER OCTET STRING of 16 to 64 bytes
     */
    public static Optional<byte[]> decode(Extension ext) {
        if (!ext.getExtnId().equals(EvidenceOids.STEWARD_NONCE)) return Optional.empty();
        byte[] value = ext.getExtnValue().getOctets();
        byte[] nonce;
        try {
            ASN1Primitive p = ASN1Primitive.fromByteArray(value);
            if (!java.util.Arrays.equals(p.getEncoded("DER"), value))
                throw new IllegalArgumentException("the nonce extension is not DER");
            nonce = ASN1OctetString.getInstance(p).getOctets();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("the nonce extension is not an OCTET STRING");
        }
        if (nonce.length < ReportData.MIN_NONCE || nonce.length > ReportData.MAX_NONCE) {
            throw new IllegalArgumentException("the nonce extension holds " + nonce.length + " bytes, not "
                    + ReportData.MIN_NONCE + " to " + ReportData.MAX_NONCE);
        }
        return Optional.of(nonce);
    }
}
