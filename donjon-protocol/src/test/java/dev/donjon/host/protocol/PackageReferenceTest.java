package dev.donjon.host.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A package reference travels sealed like a package, and its decoding is as strict. */
class PackageReferenceTest {

    private static PackageReference reference() {
        return new PackageReference(
                "registry.example:8443/alice/rot13:0.1.0",
                Optional.of("AB".repeat(32)),
                Optional.of("owner-token-123"),
                List.of(new byte[] {0x30, 1, 2}));
    }

    @Test
    void sealedReferenceOpensAsAReferenceInTheKeep() throws Exception {
        DeployContext ctx = new DeployContext("keep-r", new byte[KeepBinding.NONCE_BYTES]);
        KeepSession keep = new KeepSession(ctx);
        SealedPackage sealed = ClientSession.start(keep.publicKey(), ctx).seal(reference());
        String wire = new String(sealed.encode(), StandardCharsets.ISO_8859_1);
        assertFalse(
                wire.contains("alice/rot13") || wire.contains("owner-token-123"),
                "the reference must not show through the ciphertext");

        KeepSession.Opened opened = keep.open(SealedPackage.decode(sealed.encode()));
        PackageReference r = assertInstanceOf(PackageReference.class, opened.delivery());
        assertEquals("registry.example:8443/alice/rot13:0.1.0", r.spec());
        assertEquals(Optional.of("ab".repeat(32)), r.wasmSha256());
        assertEquals(Optional.of("owner-token-123"), r.token());
        assertArrayEquals(new byte[] {0x30, 1, 2}, r.registryCas().getFirst());
        assertThrows(IllegalStateException.class, opened::workload);
        assertFalse(r.toString().contains("owner-token-123"), "toString must not print the token");
    }

    @Test
    void guestArgumentsSurviveTheRoundTripAndMustBeStrings() throws Exception {
        PackageReference r = (PackageReference)
                Delivery.decode(reference().withArgs(List.of("-v", "a b")).encode());
        assertEquals(List.of("-v", "a b"), r.args());
        assertFalse(
                new String(reference().encode(), StandardCharsets.UTF_8).contains("args"),
                "no field without arguments");
        byte[] number = "DJRF\u0001{\"spec\":\"a/b:1.0.0\",\"args\":[1]}".getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(assertThrows(ProtocolException.class, () -> Delivery.decode(number))
                .getMessage()
                .contains("not a string"));
    }

    @Test
    void malformedReferencesAreRefusedWithTheReason() {
        byte[] good = reference().encode();
        byte[] version = good.clone();
        version[4] = 2;
        assertTrue(assertThrows(ProtocolException.class, () -> Delivery.decode(version))
                .getMessage()
                .contains("version 2"));
        byte[] unknown = "DJRF\u0001{\"spec\":\"a/b:1.0.0\",\"run\":\"x\"}".getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(assertThrows(ProtocolException.class, () -> Delivery.decode(unknown))
                .getMessage()
                .contains("unknown field 'run'"));
        byte[] noSpec = "DJRF\u0001{}".getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(assertThrows(ProtocolException.class, () -> Delivery.decode(noSpec))
                .getMessage()
                .contains("no spec"));
        byte[] badDigest =
                "DJRF\u0001{\"spec\":\"a/b:1.0.0\",\"wasmSha256\":\"abc\"}".getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(assertThrows(ProtocolException.class, () -> Delivery.decode(badDigest))
                .getMessage()
                .contains("SHA-256"));
        byte[] plainSteward = "DJRF\u0001{\"spec\":\"a/b:1.0.0\",\"steward\":\"http://steward.example\"}"
                .getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(assertThrows(ProtocolException.class, () -> Delivery.decode(plainSteward))
                .getMessage()
                .contains("must be https"));
    }

    @Test
    void theStewardAndItsCasSurviveTheRoundTrip() throws Exception {
        PackageReference r = (PackageReference) Delivery.decode(reference()
                .withSteward("https://steward.example:3000", List.of(new byte[] {0x30, 9}))
                .encode());
        assertEquals(Optional.of("https://steward.example:3000"), r.steward());
        assertArrayEquals(new byte[] {0x30, 9}, r.stewardCas().getFirst());
        assertEquals(
                Optional.empty(),
                ((PackageReference) Delivery.decode(reference().encode())).steward());
    }

    private static byte[] ecPublicKey(String curve) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(curve));
        return g.generateKeyPair().getPublic().getEncoded();
    }

    @Test
    void tagKeysSurviveTheRoundTripAndAreAbsentFromReferencesWithoutThem() throws Exception {
        byte[] p256 = ecPublicKey("secp256r1"), p384 = ecPublicKey("secp384r1");
        PackageReference r = (PackageReference)
                Delivery.decode(reference().withTagKeys(List.of(p256, p384)).encode());
        assertEquals(2, r.tagKeys().size());
        assertArrayEquals(p256, r.tagKeys().get(0));
        assertArrayEquals(p384, r.tagKeys().get(1));
        assertTrue(r.toString().contains("tag signed by one of 2 keys"), r.toString());

        // a reference without tag keys encodes as before, and one written before the field existed requires no
        // signature
        assertFalse(new String(reference().encode(), StandardCharsets.ISO_8859_1).contains("tagKeys"));
        byte[] older = "DJRF\u0001{\"spec\":\"https://r.example/api/v0.1.0/a/b/_tag/1.0.0\"}"
                .getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(List.of(), ((PackageReference) Delivery.decode(older)).tagKeys());
    }

    @Test
    void tagKeysAreRefusedWhenTheyCannotApplyOrAreNoPublisherKeys() throws Exception {
        byte[] key = ecPublicKey("secp256r1");
        for (String spec : List.of("file:///tmp/pkg", "oci://127.0.0.1:5000/hello:1")) {
            var e = assertThrows(
                    ProtocolException.class,
                    () -> PackageReference.of(spec).withTagKeys(List.of(key)).validate());
            assertTrue(e.getMessage().contains("tag keys apply to Drawbridge tags only"), e.getMessage());
        }
        var p521 = assertThrows(
                ProtocolException.class,
                () -> reference().withTagKeys(List.of(ecPublicKey("secp521r1"))).validate());
        assertEquals(
                "package reference: a tag key is an EC key on a curve other than P-256 or P-384", p521.getMessage());
        byte[] junk = "DJRF\u0001{\"spec\":\"a/b:1.0.0\",\"tagKeys\":[\"MAA=\"]}".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(
                "package reference: a tag key is not an EC public key",
                assertThrows(ProtocolException.class, () -> Delivery.decode(junk))
                        .getMessage());
        var many = assertThrows(
                ProtocolException.class,
                () -> reference()
                        .withTagKeys(java.util.Collections.nCopies(PackageReference.MAX_TAG_KEYS + 1, key))
                        .validate());
        assertTrue(many.getMessage().contains("more than 16 tag keys"), many.getMessage());
    }

    @Test
    void donjonTomlBrokerCasAndSealedSecretsSurviveTheRoundTripAndJoinTheFetchedPackage() throws Exception {
        String toml = "[secrets]\nbroker = \"https://broker.example:8600\"\n[[secret]]\nname = \"db\"\nenv = \"DB\"\n";
        PackageReference r = reference()
                .withDonjon(
                        Optional.of(toml),
                        List.of(new byte[] {0x30, 3}),
                        java.util.Map.of("API_TOKEN", "sealed-value".getBytes(StandardCharsets.UTF_8)));
        PackageReference back = assertInstanceOf(PackageReference.class, Delivery.decode(r.encode()));
        assertEquals(Optional.of(toml), back.donjonToml());
        assertArrayEquals(new byte[] {0x30, 3}, back.secretsCas().getFirst());
        assertArrayEquals(
                "sealed-value".getBytes(StandardCharsets.UTF_8), back.secrets().get("API_TOKEN"));
        assertFalse(back.toString().contains("sealed-value"), back.toString());
        WorkloadPackage fetched =
                new WorkloadPackage(new byte[] {0, 'a', 's', 'm'}, Optional.empty(), java.util.Map.of());
        WorkloadPackage joined = back.carriedInto(fetched);
        assertEquals(toml, new String(joined.donjonToml().orElseThrow(), StandardCharsets.UTF_8));
        assertTrue(new String(joined.secretsCa().orElseThrow(), StandardCharsets.US_ASCII)
                .startsWith("-----BEGIN CERTIFICATE-----\n"));
        assertArrayEquals(
                "sealed-value".getBytes(StandardCharsets.UTF_8),
                joined.secrets().get("API_TOKEN"));
        // the package archive carries Donjon.toml and secrets-ca.pem both ways
        assertEquals(joined, WorkloadPackage.decode(joined.encode()));
    }

    @Test
    void aBadDonjonTomlOrSecretNameIsRefused() {
        byte[] badToml = "DJRF\u0001{\"spec\":\"a/b:1.0.0\",\"donjonToml\":\"[secrets]\\nbrokr = 1\"}"
                .getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(assertThrows(ProtocolException.class, () -> Delivery.decode(badToml))
                .getMessage()
                .contains("Donjon.toml: unknown key secrets.brokr"));
        byte[] badName = "DJRF\u0001{\"spec\":\"a/b:1.0.0\",\"secrets\":{\"1BAD\":\"eA==\"}}"
                .getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(assertThrows(ProtocolException.class, () -> Delivery.decode(badName))
                .getMessage()
                .contains("not a valid environment variable name"));
    }
}
