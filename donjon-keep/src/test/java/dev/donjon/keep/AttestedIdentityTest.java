package dev.donjon.keep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.common.Tls;
import dev.donjon.platform.Backend;
import dev.donjon.platform.identity.KeepIdentity;
import dev.donjon.wasi.WasiLimits;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The Keep identity {@code donjon run} uses: trust options, and what it accepts from a Steward (the enrollment itself: donjon-cli StewardEnrollmentTest). */
@Timeout(120)
class AttestedIdentityTest {

    static final URI STEWARD = URI.create("https://steward.example/");

    static X509Certificate localhost(KeyPair key) throws Exception {
        return dev.donjon.platform.identity.SelfSignedIdentity.localhost(key, Clock.systemUTC());
    }

    private static AttestedIdentity withPeers(Optional<List<X509Certificate>> peers) {
        return new AttestedIdentity(
                (nonce, extra) -> {
                    throw new AssertionError("no steward: no evidence is made");
                },
                new AttestedIdentity.Trust(Optional.empty(), peers, Optional.empty()),
                Backend.NIL,
                Clock.systemUTC());
    }

    @Test
    void withoutAStewardTlsConnectTrustsTheAddedAnchors() throws Exception {
        try (TlsKeepTest.Peer peer = TlsKeepTest.Peer.start()) {
            var out = new ByteArrayOutputStream();
            var err = new ByteArrayOutputStream();
            try (Keep keep = Keep.open(
                    Workload.of(TestKeeps.testModule("connect_send.wasm")).withConfig(peer.connectConfig()),
                    new Stdio(InputStream.nullInputStream(), out, err),
                    WasiLimits.defaults(),
                    withPeers(Optional.of(Tls.jdkAnchorsPlus(List.of(peer.cert())))))) {
                assertEquals(0, keep.run(), err.toString());
            }
            assertEquals("ping\n", peer.received().get());
            assertEquals("pong\n", out.toString(StandardCharsets.US_ASCII));
        }
    }

    @Test
    void anIssuedChainMustCertifyTheKeepsOwnKey() throws Exception {
        KeyPair mine = KeepIdentity.newKeyPair(Backend.NIL);
        KeyPair other = KeepIdentity.newKeyPair(Backend.NIL);
        X509Certificate forOther = localhost(other);
        var e = assertThrows(KeepException.class, () -> AttestedIdentity.leafFirst(mine, List.of(forOther)));
        assertTrue(e.getMessage().contains("no certificate for this Keep's key"), e.getMessage());
        X509Certificate forMe = localhost(mine);
        assertEquals(List.of(forMe), AttestedIdentity.leafFirst(mine, List.of(forMe)));
    }

    @Test
    void aChainWhoseLinksDoNotVerifyIsRefused() throws Exception {
        KeyPair mine = KeepIdentity.newKeyPair(Backend.NIL);
        X509Certificate forMe = localhost(mine);
        // same subject and issuer name (CN=localhost) as the leaf's issuer, but another key: the signature link fails
        X509Certificate impostor = localhost(KeepIdentity.newKeyPair(Backend.NIL));
        var e = assertThrows(KeepException.class, () -> AttestedIdentity.leafFirst(mine, List.of(impostor, forMe)));
        assertTrue(e.getMessage().startsWith("the Steward's chain does not verify"), e.getMessage());
    }

    @Test
    void anAnswerThatIsNotACertificateSequenceIsAOneLineError() {
        var e = assertThrows(
                KeepException.class,
                () -> StewardClient.chain(STEWARD, "<html>hello</html>".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(
                e.getMessage()
                        .startsWith("the Steward at " + STEWARD
                                + " answered something that is not a DER SEQUENCE OF Certificate"),
                e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        assertThrows(KeepException.class, () -> StewardClient.chain(STEWARD, new byte[] {0x30, 0x00}));
    }

    @Test
    void theStewardsReasonReachesTheUserAsOneCleanLine() {
        assertEquals(
                "refused: sim.hash: measurement ab is not allowed",
                StewardClient.reason("refused: sim.hash: measurement ab is not allowed\nsecond line\n"
                        .getBytes(StandardCharsets.UTF_8)));
        assertEquals("a?[31mred", StewardClient.reason("a\u001b[31mred".getBytes(StandardCharsets.UTF_8)));
        assertEquals("no reason given", StewardClient.reason(new byte[0]));
    }

    @Test
    void caFilesArePemOrDerAndABadFileIsNamed(@TempDir Path dir) throws Exception {
        X509Certificate cert = localhost(KeepIdentity.newKeyPair(Backend.NIL));
        Path der = Files.write(dir.resolve("ca.der"), cert.getEncoded());
        Path pem = Files.writeString(
                dir.resolve("ca.pem"),
                "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder().encodeToString(cert.getEncoded())
                        + "\n-----END CERTIFICATE-----\n");
        assertEquals(List.of(cert), TrustAnchorFiles.read(der, "--tls-ca"));
        assertEquals(List.of(cert), TrustAnchorFiles.read(pem, "--tls-ca"));
        var missing =
                assertThrows(KeepException.class, () -> TrustAnchorFiles.read(dir.resolve("nope.pem"), "--steward-ca"));
        assertEquals("--steward-ca " + dir.resolve("nope.pem") + ": no such file", missing.getMessage());
        Path junk = Files.writeString(dir.resolve("junk.pem"), "not a certificate");
        var bad = assertThrows(KeepException.class, () -> TrustAnchorFiles.read(junk, "--tls-client-ca"));
        assertTrue(bad.getMessage().startsWith("--tls-client-ca " + junk + ": "), bad.getMessage());
        assertFalse(Tls.jdkAnchors().isEmpty(), "the JDK ships trust anchors");
    }
}
