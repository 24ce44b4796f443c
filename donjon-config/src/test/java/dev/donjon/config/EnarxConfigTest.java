package dev.donjon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EnarxConfigTest {

    private static String error(String toml) {
        return assertThrows(ConfigException.class, () -> EnarxConfig.parse(toml))
                .getMessage();
    }

    private static WorkloadFile only(String fileToml) {
        List<WorkloadFile> files = EnarxConfig.parse("[[files]]\n" + fileToml).files();
        assertEquals(1, files.size());
        return files.getFirst();
    }

    @Test
    void emptyFileMeansStandardStreamsAndNothingElse() {
        EnarxConfig c = EnarxConfig.parse("");
        assertEquals(Optional.empty(), c.steward());
        assertEquals(List.of(), c.args());
        assertEquals(Map.of(), c.env());
        assertEquals(List.of("stdin", "stdout", "stderr"), c.fdNames());
        assertEquals(EnarxConfig.defaults(), c);
    }

    @Test
    void explicitEmptyFilesListIsKeptEmpty() {
        assertEquals(List.of(), EnarxConfig.parse("files = []").files());
    }

    @Test
    void fullConfigInFileOrder() {
        EnarxConfig c = EnarxConfig.parse("""
                steward = "https://steward.example.com/v1"
                args = ["--verbose", "x y"]
                [env]
                ZED = "1"
                ALPHA = "two"
                [[files]]
                kind = "null"
                [[files]]
                kind = "stdout"
                name = "out"
                [[files]]
                kind = "listen"
                prot = "tls"
                name = "WEB"
                [[files]]
                kind = "connect"
                prot = "tcp"
                host = "db.internal"
                port = 5432
                """);
        assertEquals(Optional.of(URI.create("https://steward.example.com/v1")), c.steward());
        assertEquals(List.of("--verbose", "x y"), c.args());
        assertEquals(List.of("ZED", "ALPHA"), List.copyOf(c.env().keySet()), "env keeps file order");
        assertEquals("two", c.env().get("ALPHA"));
        assertEquals(
                List.of(
                        new WorkloadFile.Null(Optional.empty()),
                        new WorkloadFile.Stdout(Optional.of("out")),
                        new WorkloadFile.Listen("WEB", "::", 443, Protocol.TLS),
                        new WorkloadFile.Connect("db.internal", "db.internal", 5432, Protocol.TCP)),
                c.files());
        assertEquals(List.of("null", "out", "WEB", "db.internal"), c.fdNames());
    }

    @ParameterizedTest
    @CsvSource({"tcp, 80", "tls, 443"})
    void listenDefaultsAddrAndPortByProtocol(String prot, int port) {
        assertEquals(
                new WorkloadFile.Listen("L", "::", port, Protocol.valueOf(prot.toUpperCase())),
                only("kind = \"listen\"\nprot = \"" + prot + "\"\nname = \"L\""));
    }

    @ParameterizedTest
    @CsvSource({"tcp, 80", "tls, 443"})
    void connectDefaultsPortByProtocolAndNameToHost(String prot, int port) {
        assertEquals(
                new WorkloadFile.Connect("example.com", "example.com", port, Protocol.valueOf(prot.toUpperCase())),
                only("kind = \"connect\"\nprot = \"" + prot + "\"\nhost = \"example.com\""));
    }

    @Test
    void listenKeepsGivenAddrAndPort() {
        assertEquals(
                new WorkloadFile.Listen("E", "127.0.0.1", 0, Protocol.TCP),
                only("kind = \"listen\"\nprot = \"tcp\"\nname = \"E\"\naddr = \"127.0.0.1\"\nport = 0"));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "stewrd = \"https://x\"                                       | unknown key stewrd",
                "[[files]]\\nkind = \"stdin\"\\nprot = \"tcp\"                  | unknown key files[0].prot",
                "[[files]]\\nkind = \"stdin\"\\n[[files]]\\nkind = \"stdout\"\\n[[files]]\\nkind = \"listen\"\\nprto = \"tcp\"\\nname = \"a\" | unknown key files[2].prto",
                "[[files]]\\nkind = \"connect\"\\nprot = \"tcp\"\\nhost = \"h\"\\naddr = \"::\" | unknown key files[0].addr",
            })
    void unknownKeysAreRejectedByPath(String toml, String expectedStart) {
        String msg = error(toml.replace("\\n", "\n"));
        assertTrue(msg.startsWith(expectedStart), msg);
    }

    @Test
    void badProtocolIsNamed() {
        assertEquals(
                "files[0].prot: expected \"tcp\" or \"tls\", not \"udp\"",
                error("[[files]]\nkind = \"listen\"\nprot = \"udp\"\nname = \"a\""));
    }

    @Test
    void protocolIsRequired() {
        assertEquals(
                "files[0]: missing key \"prot\" (required for kind = \"listen\")",
                error("[[files]]\nkind = \"listen\"\nname = \"a\""));
        assertEquals(
                "files[0]: missing key \"prot\" (required for kind = \"connect\")",
                error("[[files]]\nkind = \"connect\"\nhost = \"a\""));
    }

    @Test
    void listenNeedsANameAndConnectAHost() {
        assertEquals(
                "files[0]: missing key \"name\" (required for kind = \"listen\")",
                error("[[files]]\nkind = \"listen\"\nprot = \"tcp\""));
        assertEquals(
                "files[0]: missing key \"host\" (required for kind = \"connect\")",
                error("[[files]]\nkind = \"connect\"\nprot = \"tcp\""));
    }

    @Test
    void kindIsRequiredAndChecked() {
        assertTrue(error("[[files]]\nname = \"x\"").startsWith("files[0]: missing key \"kind\""));
        assertTrue(error("[[files]]\nkind = \"pipe\"").startsWith("files[0].kind: unknown kind \"pipe\""));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "kind = \"stdin\"\\nname = \"a:b\"                                  | files[0].name",
                "kind = \"null\"\\nname = \"a:b\"                                   | files[0].name",
                "kind = \"listen\"\\nprot = \"tcp\"\\nname = \"a:b\"                 | files[0].name",
                "kind = \"connect\"\\nprot = \"tcp\"\\nhost = \"h\"\\nname = \"x:y\"  | files[0].name",
                "kind = \"connect\"\\nprot = \"tcp\"\\nhost = \"::1\"                | files[0]: the name defaults to the host",
            })
    void namesMustNotContainColons(String file, String expectedStart) {
        String msg = error("[[files]]\n" + file.replace("\\n", "\n"));
        assertTrue(msg.startsWith(expectedStart) && msg.contains("':'"), msg);
    }

    @Test
    void connectToIpv6HostWorksWithAnExplicitName() {
        assertEquals(
                new WorkloadFile.Connect("DB", "::1", 5432, Protocol.TCP),
                only("kind = \"connect\"\nprot = \"tcp\"\nhost = \"::1\"\nport = 5432\nname = \"DB\""));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "-1      | files[0].port: expected a port number 0-65535, got an integer -1",
                "65536   | files[0].port: expected a port number 0-65535, got an integer 65536",
                "\"80\"  | files[0].port: expected a port number 0-65535, got a string \"80\"",
                "8.5     | files[0].port: expected a port number 0-65535, got a float 8.5",
            })
    void portsAreChecked(String port, String expected) {
        assertEquals(expected, error("[[files]]\nkind = \"listen\"\nprot = \"tcp\"\nname = \"a\"\nport = " + port));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "steward = \"http://steward.example.com\" | steward: must be an https:// URL",
                "steward = \"https://\"                   | steward: ",
                "steward = 1                              | steward: expected a string",
                "args = \"a b\"                           | args: expected an array of strings",
                "args = [\"a\", 2]                        | args[1]: expected a string",
                "env = [\"A=1\"]                          | env: expected a table of strings",
                "[env]\\nA = 1                             | env.A: expected a string, got an integer 1",
                "[env]\\n\"A=B\" = \"1\"                   | env: invalid variable name \"A=B\"",
                "files = \"stdin\"                        | files: expected an array of tables",
                "files = [1]                              | files[0]: expected a table",
                "[[files]]\\nkind = \"listen\"\\nprot = \"tcp\"\\nname = \"\" | files[0].name: must not be empty",
            })
    void wrongTypesAndValuesAreNamed(String toml, String expectedStart) {
        String msg = error(toml.replace("\\n", "\n"));
        assertTrue(msg.startsWith(expectedStart), msg);
    }

    @Test
    void invalidTomlIsOneLineWithItsPosition() {
        String msg = error("args = [\"a\"\n[[files]\nkind = ");
        assertTrue(msg.startsWith("invalid TOML at line "), msg);
        assertFalse(msg.contains("\n"), msg);
    }

    @Test
    void parserTokenNamesAreShownAsTomlSyntax() {
        String msg = error("[[files]\nkind = \"stdin\"\n");
        assertTrue(msg.startsWith("invalid TOML at line "), msg);
        assertTrue(msg.endsWith("expected ']]'"), msg);
    }

    @Test
    void duplicateKeysAreInvalidToml() {
        assertTrue(error("args = []\nargs = []").startsWith("invalid TOML"));
    }

    @Test
    void templateIsTheStandardStreamsAndItsCommentedExamplesParse() {
        String template = ConfigTemplate.text();
        assertEquals(EnarxConfig.defaults(), EnarxConfig.parse(template), "as written, the template runs any module");
        assertTrue(template.lines().filter(l -> l.startsWith("#")).count() > 10, "the template is commented");
        // uncommenting the example files (every "# key = value" and "# [[files]]" line) gives a valid config too
        String uncommented = template.lines()
                .map(l -> l.matches("# (\\[\\[files]]|(kind|prot|name|port|host) = .*)") ? l.substring(2) : l)
                .reduce("", (a, l) -> a + l + "\n");
        EnarxConfig examples = EnarxConfig.parse(uncommented);
        assertEquals(List.of("stdin", "stdout", "stderr", "LISTEN", "UPSTREAM"), examples.fdNames());
        assertEquals(
                new WorkloadFile.Listen("LISTEN", "::", 8080, Protocol.TCP),
                examples.files().get(3));
        assertEquals(
                new WorkloadFile.Connect("UPSTREAM", "example.com", 443, Protocol.TLS),
                examples.files().get(4));
    }

    @Test
    void readPrefixesErrorsWithTheFileName(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("Enarx.toml");
        Files.writeString(f, "[[files]]\nkind = \"listen\"\nprot = \"tcp\"\nname = \"a\"\nprto = 1\n");
        String msg =
                assertThrows(ConfigException.class, () -> EnarxConfig.read(f)).getMessage();
        assertTrue(msg.startsWith(f + ": unknown key files[0].prto"), msg);
        assertEquals(
                dir.resolve("missing.toml") + ": no such file",
                assertThrows(ConfigException.class, () -> EnarxConfig.read(dir.resolve("missing.toml")))
                        .getMessage());
    }

    @Test
    void recordsRefuseColonNamesToo() {
        assertThrows(IllegalArgumentException.class, () -> new WorkloadFile.Listen("a:b", "::", 80, Protocol.TCP));
    }
}
