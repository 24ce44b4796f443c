package dev.donjon.steward;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The nonces a Steward hands out for fresh enrollments ({@code POST /nonce}) and takes back once. A nonce is 32 bytes:
 * its expiry (u64 big-endian, epoch seconds), 8 random bytes and a 16-byte HMAC-SHA256 tag over both under a key made
 * at start-up and never stored. Issuing keeps no state (a flood of requests costs nothing but CPU); a nonce is
 * remembered only once used, until it expires, so each is accepted once. A restart forgets the key: nonces issued
 * before it are refused, as are those of another Steward instance.
 */
final class EnrollmentNonces {
    static final int LENGTH = 32;
    private static final int TAG = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Duration lifetime;
    private final Clock clock;
    private final SecretKeySpec key;
    /** Used nonces (hex) and when they expire. */
    private final Map<String, Instant> used = new HashMap<>();

    EnrollmentNonces(Duration lifetime, Clock clock) {
        if (!lifetime.isPositive()) throw new IllegalArgumentException("the nonce lifetime must be positive");
        this.lifetime = lifetime;
        this.clock = clock;
        byte[] k = new byte[32];
        RANDOM.nextBytes(k);
        this.key = new SecretKeySpec(k, "HmacSHA256");
    }

    Duration lifetime() {
        return lifetime;
    }

    byte[] issue() {
        ByteBuffer b = ByteBuffer.allocate(LENGTH);
        b.putLong(clock.instant().plus(lifetime).getEpochSecond());
        byte[] random = new byte[8];
        RANDOM.nextBytes(random);
        b.put(random);
        b.put(tag(b.array()));
        return b.array();
    }

    /** The nonce is one this Steward issued and it has not expired; says why not. */
    void checkIssued(byte[] nonce) throws Denial {
        if (nonce.length != LENGTH
                || !MessageDigest.isEqual(tag(nonce), java.util.Arrays.copyOfRange(nonce, LENGTH - TAG, LENGTH))) {
            throw Denial.noAttestation(
                    "freshness", "the CSR's nonce was not issued by this Steward (or not since it started)");
        }
        if (!clock.instant().isBefore(expiry(nonce))) {
            throw Denial.noAttestation(
                    "freshness", "the CSR's nonce expired at " + expiry(nonce) + ": ask POST /nonce for a new one");
        }
    }

    /** Marks the nonce used: true the first time, false for a replay. */
    synchronized boolean use(byte[] nonce) {
        Instant now = clock.instant();
        used.values().removeIf(expiry -> !now.isBefore(expiry));
        return used.putIfAbsent(HexFormat.of().formatHex(nonce), expiry(nonce)) == null;
    }

    private static Instant expiry(byte[] nonce) {
        return Instant.ofEpochSecond(ByteBuffer.wrap(nonce).getLong());
    }

    private byte[] tag(byte[] nonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(nonce, 0, LENGTH - TAG);
            return java.util.Arrays.copyOf(mac.doFinal(), TAG);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is missing from the JDK", e);
        }
    }
}
