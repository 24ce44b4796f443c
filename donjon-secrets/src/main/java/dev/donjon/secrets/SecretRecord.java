package dev.donjon.secrets;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * One stored secret: its name, version (1, then +1 at every put or rotate), policy, the value sealed under the master
 * key, and when it was created and last changed. Never holds the value in clear.
 */
public record SecretRecord(
        String name, long version, SecretPolicy policy, MasterKey.Sealed value, Instant created, Instant updated) {

    public SecretRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(value, "value");
        if (version < 1) throw new IllegalArgumentException("a secret's version starts at 1");
    }

    /** The additional data its value is sealed with: format, name, version and the canonical policy. */
    public static byte[] aad(String name, long version, SecretPolicy policy) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("donjon-secret-v1\n".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(name.getBytes(StandardCharsets.UTF_8));
        out.write('\n');
        out.writeBytes(Long.toString(version).getBytes(StandardCharsets.US_ASCII));
        out.write('\n');
        out.writeBytes(policy.canonicalBytes());
        return out.toByteArray();
    }

    public byte[] aad() {
        return aad(name, version, policy);
    }
}
