package dev.donjon.host.protocol;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.hpke.HPKEContext;

/**
 * One direction of a deployment's stream of chunks: AES-256-GCM under a key and base nonce exported from the
 * deployment's HPKE context (RFC 9180 section 5.3) with labels naming the direction, so that only the two ends of
 * that deployment can read it, and a chunk of one direction is never accepted in the other. Chunk i uses nonce base
 * XOR i and authenticates i, so the host can neither reorder, drop, replay nor splice chunks undetected. In order;
 * not thread-safe.
 */
final class ChunkCipher {

    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final byte[] baseNonce;
    private final byte[] aadLabel;
    private long sequence;

    /** @param direction "output" (Keep to client) or "input" (client to Keep): part of every label */
    ChunkCipher(HPKEContext context, String direction) {
        this.key = new SecretKeySpec(context.export(label(direction + " key"), 32), "AES");
        this.baseNonce = context.export(label(direction + " nonce"), 12);
        this.aadLabel = label(direction);
    }

    private static byte[] label(String what) {
        return ("donjon-deploy-v1 " + what).getBytes(StandardCharsets.US_ASCII);
    }

    /** The number of the next chunk. */
    long sequence() {
        return sequence;
    }

    byte[] seal(byte[] plain) {
        try {
            byte[] ct = cipher(Cipher.ENCRYPT_MODE).doFinal(plain);
            sequence++;
            return ct;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed: " + e.getMessage(), e);
        }
    }

    /** @param what names the stream in errors ("output", "input") */
    byte[] open(byte[] chunk, String what) throws ProtocolException {
        byte[] plain;
        try {
            plain = cipher(Cipher.DECRYPT_MODE).doFinal(chunk);
        } catch (AEADBadTagException e) {
            throw new ProtocolException(what + " chunk " + sequence
                    + " failed authentication (tampered, reordered or not from this deployment)");
        } catch (GeneralSecurityException e) {
            throw new ProtocolException(what + " chunk " + sequence + " could not be decrypted: " + e.getMessage());
        }
        sequence++;
        return plain;
    }

    private Cipher cipher(int mode) throws GeneralSecurityException {
        byte[] nonce = baseNonce.clone();
        byte[] seq = Bytes.u64(sequence);
        for (int i = 0; i < 8; i++) nonce[4 + i] ^= seq[i];
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        gcm.updateAAD(aadLabel);
        gcm.updateAAD(seq);
        return gcm;
    }
}
