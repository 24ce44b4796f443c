package dev.donjon.keep;

import dev.donjon.config.DonjonConfig;
import dev.donjon.wasi.MemoryDirectory;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The secrets of a {@link SecretsPlan}, fetched with the Keep's Steward certificate and shaped for the guest:
 * environment variables, and files of one in-memory directory (never the host's disk). Fetching stops at the first
 * refusal, so a Keep that may not have every secret it names does not start.
 *
 * @param env  variable name -> value (UTF-8 text without NUL)
 * @param dir  the in-memory directory, when some secret is a file
 */
record GuestSecrets(Map<String, String> env, Optional<MemoryDirectory> dir) {

    /** Names the secrets' directory for the guest: its path, and its fd (for guests that cannot find it as a preopen). */
    static final String DIR_VARIABLE = "DONJON_SECRETS_DIR";

    static final String FD_VARIABLE = "DONJON_SECRETS_FD";

    static GuestSecrets fetch(SecretsPlan plan, KeepTls identity) {
        KeepTls.Presenting presenting = identity.presenting()
                .orElseThrow(() ->
                        new KeepException("this Keep's identity cannot present a certificate to the secret broker"));
        DonjonConfig c = plan.config();
        SecretsClient client = new SecretsClient(c.broker().orElseThrow(), presenting.trusting(plan.brokerAnchors()));
        Map<String, String> env = new LinkedHashMap<>();
        Map<String, byte[]> files = new LinkedHashMap<>();
        try {
            for (DonjonConfig.SecretRequest s : c.secrets()) {
                byte[] value = client.fetch(s.name());
                if (s.env().isPresent()) env.put(s.env().get(), text(s, value));
                if (s.file().isPresent()) files.put(s.file().get(), value);
                else Arrays.fill(value, (byte) 0);
            }
            Optional<MemoryDirectory> dir =
                    files.isEmpty() ? Optional.empty() : Optional.of(new MemoryDirectory(c.dir(), files));
            return new GuestSecrets(env, dir);
        } finally {
            files.values().forEach(v -> Arrays.fill(v, (byte) 0)); // the directory holds its own copies
        }
    }

    private static String text(DonjonConfig.SecretRequest s, byte[] value) {
        try {
            String t = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value))
                    .toString();
            if (t.indexOf('\0') < 0) return t;
        } catch (CharacterCodingException e) {
            // below
        }
        throw new KeepException(
                "secret '" + s.name() + "' is not UTF-8 text without NUL, so it cannot be the environment variable "
                        + s.env().orElseThrow() + " (deliver it as a file)");
    }

    @Override
    public String toString() {
        return "GuestSecrets[" + env.size() + " variables, "
                + dir.map(MemoryDirectory::toString).orElse("no directory") + "]";
    }
}
