package dev.donjon.host.protocol;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.hpke.HPKEContext;

/**
 * The Keep -> client output channel: AES-256-GCM under a key and base nonce exported from the deployment's HPKE
 * context (RFC 9180 section 5.3), so only the client that sealed the package can read it. Chunk i uses nonce
 * base XOR i and authenticates i, so the host can neither reorder, drop, replay nor splice chunks undetected; a
 * stream must end with an {@link OutputFrame.Exit} or {@link OutputFrame.Failed} frame, so truncation shows too.
 * One instance seals or opens one direction, in order; not thread-safe.
 */
public final class OutputCipher {

    private static final byte[] KEY_LABEL = "donjon-deploy-v1 output key".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NONCE_LABEL = "donjon-deploy-v1 output nonce".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] AAD_LABEL = "donjon-deploy-v1 output".getBytes(StandardCharsets.US_ASCII);
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final byte[] baseNonce;
    private long sequence;
    private boolean ended;

    OutputCipher(HPKEContext context) {
        this.key = new SecretKeySpec(context.export(KEY_LABEL, 32), "AES");
        this.baseNonce = context.export(NONCE_LABEL, 12);
    }

    /** Keep side: encrypts the next frame. */
    public byte[] seal(OutputFrame frame) {
        if (ended) throw new IllegalStateException("the output stream has already ended");
        try {
            Cipher gcm = cipher(Cipher.ENCRYPT_MODE);
            byte[] ct = gcm.doFinal(frame.encode());
            sequence++;
            ended = frame.isEnd();
            return ct;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed: " + e.getMessage(), e);
        }
    }

    /** Client side: decrypts the next chunk; refuses anything that is not the next authentic chunk. */
    public OutputFrame open(byte[] chunk) throws ProtocolException {
        if (ended) throw new ProtocolException("output chunk after the end of the stream");
        byte[] plain;
        try {
            plain = cipher(Cipher.DECRYPT_MODE).doFinal(chunk);
        } catch (AEADBadTagException e) {
            throw new ProtocolException("output chunk " + sequence + " failed authentication (tampered, reordered or not from this Keep)");
        } catch (GeneralSecurityException e) {
            throw new ProtocolException("output chunk " + sequence + " could not be decrypted: " + e.getMessage());
        }
        OutputFrame frame = OutputFrame.decode(plain);
        sequence++;
        ended = frame.isEnd();
        return frame;
    }

    public boolean ended() { return ended; }

    private Cipher cipher(int mode) throws GeneralSecurityException {
        byte[] nonce = baseNonce.clone();
        byte[] seq = Bytes.u64(sequence);
        for (int i = 0; i < 8; i++) nonce[4 + i] ^= seq[i];
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        gcm.updateAAD(AAD_LABEL);
        gcm.updateAAD(seq);
        return gcm;
    }
}
