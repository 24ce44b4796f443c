package dev.donjon.host.protocol;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * What a Keep's evidence must bind for one deployment: the 64 report-data bytes
 * SHA-512("donjon-deploy-binding-v1" || len(pk) || pk || len(nonce) || nonce). The lengths make the split between key
 * and nonce unambiguous; the label keeps these hashes apart from any other use of report data (e.g. Enarx CSR keys).
 */
public final class KeepBinding {
    public static final int NONCE_BYTES = 32;
    private static final byte[] LABEL = "donjon-deploy-binding-v1".getBytes(StandardCharsets.US_ASCII);

    private KeepBinding() {}

    public static byte[] reportData(byte[] publicKey, byte[] nonce) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-512");
            sha.update(LABEL);
            sha.update(Bytes.u16(publicKey.length));
            sha.update(publicKey);
            sha.update(Bytes.u16(nonce.length));
            sha.update(nonce);
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-512 is missing from this JVM", e);
        }
    }
}
