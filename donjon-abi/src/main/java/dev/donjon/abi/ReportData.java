package dev.donjon.abi;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Optional;

/**
 * The 64 bytes a Keep asks its TEE to sign, binding a public key (and, for a deployment, the client's nonce) to the
 * evidence: made by the Keep, checked by the Steward and the owner's client. For the Enarx CSR binding the hash is the
 * backend's (SHA-384 for snp and sim, SHA-256 otherwise: donjon-platform's {@code Backend.reportDataHash}); the digest
 * fills the first bytes and the rest is zero, as Enarx.
 */
public final class ReportData {

    public static final int LENGTH = 64;
    public static final int MIN_NONCE = 16;
    public static final int MAX_NONCE = 64;
    private static final byte[] DEPLOY_LABEL =
            "donjon-deploy-binding-v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] STEWARD_NONCE_LABEL =
            "donjon-steward-nonce-v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private ReportData() {}

    /** Enarx's binding: hash(DER SubjectPublicKeyInfo), zero-padded to 64 bytes; {@code hash} is a JCA name ("SHA-384"). */
    public static byte[] ofPublicKey(String hash, byte[] spkiDer) {
        return ofPublicKey(hash, spkiDer, Optional.empty());
    }

    /**
     * A Keep key's binding for a Steward: {@code hashAlgorithm} (SHA-384 for snp and sim, SHA-256 otherwise) of the DER
     * SubjectPublicKeyInfo fills the first bytes, exactly as Enarx. Without a nonce the rest is zero (Enarx's binding);
     * with one (freshness), the rest is the first bytes of SHA-256("donjon-steward-nonce-v1" || u16be(len) || nonce),
     * so that the key's half is untouched (verifiers that check only it, as Intel's quote verifier does, still see
     * it) and the whole report, signed by the TEE, binds the key and the nonce together. The tail is 16 bytes (128
     * bits) for SHA-384: a replay would need a second nonce, issued by the Steward, with the same tail.
     */
    public static byte[] ofPublicKey(String hashAlgorithm, byte[] spkiDer, Optional<byte[]> stewardNonce) {
        byte[] out = padded(digest(hashAlgorithm).digest(spkiDer));
        int keyLength = digest(hashAlgorithm).getDigestLength();
        stewardNonce.ifPresent(nonce -> {
            if (nonce.length < MIN_NONCE || nonce.length > MAX_NONCE) {
                throw new IllegalArgumentException("nonce must be " + MIN_NONCE + " to " + MAX_NONCE + " bytes");
            }
            MessageDigest d = digest("SHA-256");
            d.update(STEWARD_NONCE_LABEL);
            d.update(new byte[] {0, (byte) nonce.length});
            System.arraycopy(d.digest(nonce), 0, out, keyLength, LENGTH - keyLength);
        });
        return out;
    }

    /**
     * The deployment binding (Keep key + client nonce, issue 5's protocol; same definition as donjon-protocol's
     * {@code KeepBinding}): SHA-512("donjon-deploy-binding-v1" || u16be(len pk) || pk || u16be(len nonce) || nonce),
     * all 64 bytes. The label keeps it apart from the Enarx CSR binding; the lengths make the key/nonce split
     * unambiguous for keys of any encoding (DER SPKI or raw HPKE keys). The same on every backend.
     */
    public static byte[] forDeployment(byte[] publicKey, byte[] nonce) {
        if (nonce == null || nonce.length < MIN_NONCE || nonce.length > MAX_NONCE) {
            throw new IllegalArgumentException("nonce must be " + MIN_NONCE + " to " + MAX_NONCE + " bytes");
        }
        if (publicKey.length > 0xFFFF) throw new IllegalArgumentException("public key longer than 65535 bytes");
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-512");
            d.update(DEPLOY_LABEL);
            d.update(new byte[] {(byte) (publicKey.length >>> 8), (byte) publicKey.length});
            d.update(publicKey);
            d.update(new byte[] {0, (byte) nonce.length});
            d.update(nonce);
            return d.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-512", e);
        }
    }

    private static byte[] padded(byte[] digest) {
        return Arrays.copyOf(digest, LENGTH);
    }

    private static MessageDigest digest(String hash) {
        try {
            return MessageDigest.getInstance(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("the JDK has no " + hash, e);
        }
    }
}
