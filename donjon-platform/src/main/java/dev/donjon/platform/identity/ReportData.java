package dev.donjon.platform.identity;

import dev.donjon.platform.Backend;
import dev.donjon.platform.Platform;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The 64 bytes a Keep asks its TEE to sign, binding a public key (and, for a deployment, the client's nonce) to the
 * evidence. The hash is SHA-384 for snp and sim, SHA-256 otherwise ({@link Backend#reportDataHash}); the digest
 * fills the first bytes and the rest is zero, as Enarx.
 */
public final class ReportData {

    public static final int MIN_NONCE = 16;
    public static final int MAX_NONCE = 64;

    private ReportData() {}

    /** Enarx's binding: hash(DER SubjectPublicKeyInfo), zero-padded to 64 bytes. */
    public static byte[] ofPublicKey(Backend backend, byte[] spkiDer) {
        return padded(digest(backend).digest(spkiDer));
    }

    /**
     * The deployment binding: hash(DER SubjectPublicKeyInfo || nonce), zero-padded to 64 bytes. DER is self-delimiting,
     * so no other (key, nonce) pair gives the same input; the nonce must be 16 to 64 bytes.
     */
    public static byte[] ofPublicKeyAndNonce(Backend backend, byte[] spkiDer, byte[] nonce) {
        if (nonce == null || nonce.length < MIN_NONCE || nonce.length > MAX_NONCE) {
            throw new IllegalArgumentException("nonce must be " + MIN_NONCE + " to " + MAX_NONCE + " bytes");
        }
        MessageDigest d = digest(backend);
        d.update(spkiDer);
        d.update(nonce);
        return padded(d.digest());
    }

    private static byte[] padded(byte[] digest) {
        return Arrays.copyOf(digest, Platform.REPORT_DATA_LENGTH);
    }

    private static MessageDigest digest(Backend backend) {
        try {
            return MessageDigest.getInstance(backend.reportDataHash());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no " + backend.reportDataHash(), e);
        }
    }
}
