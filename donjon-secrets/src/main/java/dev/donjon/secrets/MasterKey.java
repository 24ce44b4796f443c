package dev.donjon.secrets;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The operator's master key: 32 bytes (AES-256), in a file only its owner can read. Every secret value is sealed with
 * AES-256-GCM under it, a fresh 96-bit nonce each time, and additional data that binds the secret's name, version and
 * policy, so that a value moved to another name, or a policy loosened in the store, fails to open.
 *
 * <p>Key file: 32 raw bytes, or their base64 or hex on one line. Refused unless it is a regular file owned by the
 * user running the broker with no permission for group or others (0600 or 0400).
 */
public final class MasterKey {

    public static final int BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKey key;
    private final SecureRandom random = new SecureRandom();

    private MasterKey(byte[] raw) {
        this.key = new SecretKeySpec(raw, "AES");
        Arrays.fill(raw, (byte) 0);
    }

    /** A sealed value: the nonce and the ciphertext with its tag. */
    public record Sealed(byte[] nonce, byte[] ciphertext) {
        public Sealed {
            nonce = nonce.clone();
            ciphertext = ciphertext.clone();
            if (nonce.length != NONCE_BYTES)
                throw new IllegalArgumentException(
                        "a sealed value's nonce is " + nonce.length + " bytes, not " + NONCE_BYTES);
        }

        @Override
        public byte[] nonce() {
            return nonce.clone();
        }

        @Override
        public byte[] ciphertext() {
            return ciphertext.clone();
        }

        @Override
        public String toString() {
            return "Sealed[" + ciphertext.length + " bytes]";
        }
    }

    /** @throws BrokerException the file is missing, not owner-only, or not a 32-byte key */
    public static MasterKey read(Path file) throws BrokerException {
        byte[] bytes = OwnerOnlyFile.read(file, "master key", "make one with 'donjon secrets keygen " + file + "'");
        try {
            return new MasterKey(decode(bytes, file));
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static byte[] decode(byte[] bytes, Path file) throws BrokerException {
        if (bytes.length == BYTES) return bytes.clone();
        String text = new String(bytes, StandardCharsets.US_ASCII).strip();
        try {
            if (text.length() == 2 * BYTES && text.chars().allMatch(c -> Character.digit(c, 16) >= 0))
                return HexFormat.of().parseHex(text);
            byte[] b = Base64.getDecoder().decode(text);
            if (b.length == BYTES) return b;
        } catch (IllegalArgumentException notBase64) {
            // fall through
        }
        throw new BrokerException("master key " + file + " is not a 32-byte key (raw, base64 or hex)");
    }

    /** Writes a new random key (base64) to {@code file}, owner-only; never overwrites. */
    public static void generate(Path file) throws BrokerException {
        if (Files.exists(file)) throw new BrokerException(file + " exists: a master key is never overwritten");
        byte[] raw = new byte[BYTES];
        new SecureRandom().nextBytes(raw);
        byte[] text = (Base64.getEncoder().encodeToString(raw) + "\n").getBytes(StandardCharsets.US_ASCII);
        try {
            OwnerOnlyFile.create(file, text, "master key");
        } finally {
            Arrays.fill(raw, (byte) 0);
            Arrays.fill(text, (byte) 0);
        }
    }

    /** For tests and tools that hold the key in memory. */
    static MasterKey of(byte[] raw) {
        if (raw.length != BYTES) throw new IllegalArgumentException("a master key is " + BYTES + " bytes");
        return new MasterKey(raw.clone());
    }

    public Sealed seal(byte[] plaintext, byte[] aad) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(aad);
            return new Sealed(nonce, c.doFinal(plaintext));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available: " + e.getMessage(), e);
        }
    }

    /** @throws BrokerException the value was sealed under another key, for other additional data, or altered */
    public byte[] open(Sealed sealed, byte[] aad, String what) throws BrokerException {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed.nonce));
            c.updateAAD(aad);
            return c.doFinal(sealed.ciphertext);
        } catch (AEADBadTagException e) {
            throw new BrokerException(
                    what + " does not open under the master key (another key, or altered in the store)");
        } catch (GeneralSecurityException e) {
            throw new BrokerException(what + " cannot be opened: " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "MasterKey[AES-256]";
    }
}
