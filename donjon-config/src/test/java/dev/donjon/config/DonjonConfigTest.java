package dev.donjon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DonjonConfigTest {

    @Test
    void readsSecretsAndTheirDelivery() {
        DonjonConfig c = DonjonConfig.parse("""
                [secrets]
                broker = "https://secrets.example:8600"
                dir = "/etc/app"

                [[secret]]
                name = "db-password"
                env = "DB_PASSWORD"

                [[secret]]
                name = "tls.key"
                file = "tls.key"
                env = "TLS_KEY"
                """);
        assertEquals(Optional.of(URI.create("https://secrets.example:8600")), c.broker());
        assertEquals("/etc/app", c.dir());
        assertEquals(
                List.of(
                        new DonjonConfig.SecretRequest("db-password", Optional.of("DB_PASSWORD"), Optional.empty()),
                        new DonjonConfig.SecretRequest("tls.key", Optional.of("TLS_KEY"), Optional.of("tls.key"))),
                c.secrets());
        assertEquals(DonjonConfig.none(), DonjonConfig.parse(""));
        assertEquals(
                "/run/secrets",
                DonjonConfig.parse("[secrets]\nbroker = \"https://b\"\n").dir());
    }

    @Test
    void strictAsEnarxToml() {
        assertError(
                "unknown key secret[0].evn (expected name, env, file)",
                "[secrets]\nbroker=\"https://b\"\n[[secret]]\nname=\"a\"\nevn=\"A\"\n");
        assertError("unknown key steward (expected secrets, secret)", "steward = \"https://s\"\n");
        assertError("secrets.broker: must be an https:// URL, not \"http://b\"", "[secrets]\nbroker=\"http://b\"\n");
        assertError("secrets.broker: the secrets need a broker (https://...)", "[[secret]]\nname=\"a\"\nenv=\"A\"\n");
        assertError(
                "secret a: give it an env, a file, or both",
                "[secrets]\nbroker=\"https://b\"\n[[secret]]\nname=\"a\"\n");
        assertError(
                "secret a: file \"../x\" is not a plain file name ([A-Za-z0-9._-], not . or ..)",
                "[secrets]\nbroker=\"https://b\"\n[[secret]]\nname=\"a\"\nfile=\"../x\"\n");
        assertError(
                "secret name \"-a\" must be 1-128 of [A-Za-z0-9._-], starting with a letter or digit",
                "[secrets]\nbroker=\"https://b\"\n[[secret]]\nname=\"-a\"\nenv=\"A\"\n");
        assertError(
                "two secrets set env A",
                "[secrets]\nbroker=\"https://b\"\n[[secret]]\nname=\"a\"\nenv=\"A\"\n[[secret]]\nname=\"b\"\nenv=\"A\"\n");
        assertError("secrets.dir: \"run\" must be an absolute guest path", "[secrets]\ndir=\"run\"\n");
    }

    @Test
    void commandLineRequests() {
        assertEquals(
                new DonjonConfig.SecretRequest("db", Optional.of("DB"), Optional.empty()),
                DonjonConfig.request("db=env:DB"));
        assertEquals(
                new DonjonConfig.SecretRequest("db", Optional.empty(), Optional.of("db.txt")),
                DonjonConfig.request("db=file:db.txt"));
        assertEquals(
                "--secret db: expected NAME=env:VARIABLE or NAME=file:FILE",
                assertThrows(ConfigException.class, () -> DonjonConfig.request("db"))
                        .getMessage());
    }

    private static void assertError(String message, String toml) {
        assertEquals(
                message,
                assertThrows(ConfigException.class, () -> DonjonConfig.parse(toml))
                        .getMessage());
    }
}
