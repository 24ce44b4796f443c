package dev.donjon.drawbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Drawbridge's own published examples: the digests of "foo", and the entry JSON layout. */
class WireFormatTest {
    static final String FOO_DIGEST = "sha-224=:CAj2TmDViXn8tnbJbsk4Jw3qQkRa7vzTpOb42w==:,"
            + "sha-256=:LCa0a2j/xo/5m0U8HTBBNBNCLXBkg7+g+YpeiGJm564=:,"
            + "sha-384=:mMEf/f3VQGdrGhN8saIrKnA1DJpEFx1rEYDGvly7LuP3nVMsih3Z7y6OCOdSo7q7:,"
            + "sha-512=:9/u6bgY2+JDlb7vzKD5STG+jIErimDgtYkdB0NxmODJuKCxBvl5CVNiCB3LFUYosWowMf37aGVlKfrU5RT4e1w==:";

    @Test
    void contentDigestHeaderMatchesDrawbridge() {
        assertEquals(
                FOO_DIGEST,
                ContentDigest.of("foo".getBytes(StandardCharsets.US_ASCII)).toHeader());
        assertEquals(FOO_DIGEST, ContentDigest.parseHeader(FOO_DIGEST).toHeader());
    }

    @Test
    void entryJsonMatchesDrawbridge() {
        // Drawbridge's meta.rs example layout (its sample hash is 47 bytes, so a real sha-384 of "foo" stands in)
        Meta m = new Meta(
                ContentDigest.parseHeader("sha-384=:mMEf/f3VQGdrGhN8saIrKnA1DJpEFx1rEYDGvly7LuP3nVMsih3Z7y6OCOdSo7q7:"),
                42,
                "text/plain");
        assertEquals(
                "{\"digest\":{\"sha-384\":\"mMEf/f3VQGdrGhN8saIrKnA1DJpEFx1rEYDGvly7LuP3nVMsih3Z7y6OCOdSo7q7\"},\"length\":42,\"type\":\"text/plain\"}",
                new String(RegistryJson.writeEntry(m), StandardCharsets.UTF_8));
        assertEquals(m, RegistryJson.readEntry(RegistryJson.writeEntry(m)));
    }

    @Test
    void namesFollowDrawbridgeRules() {
        for (String ok : List.of("name", "n4M3")) assertEquals(ok, Names.user(ok));
        for (String bad : List.of("", " ", "/", "n.ame", "n%ame", "name/"))
            assertThrows(RegistryException.class, () -> Names.user(bad));
        for (String ok : List.of("-n4mE", "my-repo")) assertEquals(ok, Names.repository(ok));
        for (String ok : List.of("0.0.0", "1.2.3-alpha.1+sha.5114f85", "10.20.30")) assertEquals(ok, Names.tag(ok));
        for (String bad : List.of("1", "1.2", "v1.2.3", "01.2.3", "1.2.3-01", "1.2.3+", "latest"))
            assertThrows(RegistryException.class, () -> Names.tag(bad), bad);
        for (String bad : List.of("..", ".", "a b", "a/b"))
            assertThrows(RegistryException.class, () -> TreePath.checkName(bad));
        assertThrows(RegistryException.class, () -> ContentDigest.parseHeader("md5=:AAAA:"));
        String entry = new String(RegistryJson.writeEntry(Meta.of(new byte[1], "a/b")), StandardCharsets.UTF_8);
        assertThrows(
                RegistryException.class,
                () -> RegistryJson.readDirectory(
                        ("{\"x\":" + entry + ",\"x\":" + entry + "}").getBytes(StandardCharsets.UTF_8)));
        assertThrows(RegistryException.class, () -> ContentDigest.parseHeader("sha-256=:AAAA:")); // wrong length
    }
}
