package dev.donjon.attestation.intel;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Intel's production "Intel SGX Root CA" (valid 2018-05-21 .. 2049-12-31), bundled and pinned by SHA-256: the anchor
 * when the caller pins none. Every PCK and TCB-signing chain must end in exactly these bytes.
 */
final class IntelRoot {
    private static final String SHA256 = "44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3";
    private static final byte[] DER = load();

    private IntelRoot() {}

    static byte[] der() {
        return DER.clone();
    }

    private static byte[] load() {
        try (InputStream in = IntelRoot.class.getResourceAsStream("Intel_SGX_Root_CA.der")) {
            if (in == null) throw new IllegalStateException("the bundled Intel SGX Root CA is missing from the jar");
            byte[] der = in.readAllBytes();
            String actual = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(der));
            if (!actual.equals(SHA256))
                throw new IllegalStateException("the bundled Intel SGX Root CA is not the pinned one (" + actual + ")");
            return der;
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot read the bundled Intel SGX Root CA", e);
        }
    }
}
