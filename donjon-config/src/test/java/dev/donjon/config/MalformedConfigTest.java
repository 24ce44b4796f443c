package dev.donjon.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Whatever the bytes, parsing ends in a config or a one-line {@link ConfigException}: never another exception
 * (a Jackson error, a record's IllegalArgumentException) that would reach the user as a stack trace.
 */
class MalformedConfigTest {
    private static final String SEED = ConfigTemplate.text() + """
            steward = "https://steward.example.com"
            [[files]]
            kind = "connect"
            prot = "tls"
            host = "example.com"
            port = 443
            name = "UP"
            """;

    private static void parsesOrFailsCleanly(String toml) {
        try {
            EnarxConfig.parse(toml);
        } catch (ConfigException e) {
            assertFalse(
                    e.getMessage().isBlank() || e.getMessage().contains("\n"),
                    () -> "message for " + toml + ": " + e.getMessage());
        } catch (RuntimeException | StackOverflowError e) {
            fail("escaped as " + e + " for input:\n" + toml, e);
        }
    }

    @Test
    void everyTruncation() {
        for (int i = 0; i <= SEED.length(); i++) parsesOrFailsCleanly(SEED.substring(0, i));
    }

    @Test
    void randomByteMutations() {
        Random random = new Random(20261123);
        byte[] seed = SEED.getBytes(StandardCharsets.UTF_8);
        byte[] alphabet = "[]{}=\".,:#\n \\'0123456789-+eE_abcdefghijklmnopqrstuvwxyz\t\0\u00ff"
                .getBytes(StandardCharsets.ISO_8859_1);
        for (int round = 0; round < 5_000; round++) {
            byte[] b = seed.clone();
            for (int k = 1 + random.nextInt(4); k > 0; k--) {
                b[random.nextInt(b.length)] =
                        random.nextBoolean() ? alphabet[random.nextInt(alphabet.length)] : (byte) random.nextInt(256);
            }
            parsesOrFailsCleanly(new String(b, StandardCharsets.UTF_8));
        }
    }

    @Test
    void awkwardValues() {
        for (String v : new String[] {
            "99999999999999999999999",
            "-0",
            "0x50",
            "0o17",
            "0b1",
            "1e3",
            "nan",
            "inf",
            "1979-05-27T07:32:00Z",
            "07:32:00",
            "{}",
            "[]",
            "[[]]",
            "true",
            "\"\"",
            "'80'",
            "\"\"\"80\"\"\""
        }) {
            parsesOrFailsCleanly("[[files]]\nkind = \"listen\"\nprot = \"tcp\"\nname = \"a\"\nport = " + v);
            parsesOrFailsCleanly("args = " + v);
            parsesOrFailsCleanly("steward = " + v);
            parsesOrFailsCleanly("[env]\nA = " + v);
            parsesOrFailsCleanly("[[files]]\nkind = " + v);
        }
        parsesOrFailsCleanly("a = " + "[".repeat(100_000));
        parsesOrFailsCleanly("a = " + "{b = ".repeat(20_000));
    }
}
