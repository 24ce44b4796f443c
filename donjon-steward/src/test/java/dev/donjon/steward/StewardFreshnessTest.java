package dev.donjon.steward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.abi.ReportData;
import dev.donjon.abi.csr.KeepCsr;
import dev.donjon.abi.csr.NonceExtension;
import dev.donjon.platform.identity.CachedCollateral;
import dev.donjon.platform.identity.KeepIdentity;
import dev.donjon.platform.sim.SimAuthority;
import dev.donjon.platform.sim.SimPlatform;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 §4: a Steward re-issued certificates for a replayed CSR, and sim evidence has no freshness. In freshness
 * mode a CSR must carry a nonce the Steward issued (POST /nonce), unexpired and unused, bound into its report data.
 */
class StewardFreshnessTest {
    static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    static final byte[] MEASUREMENT = new byte[48];

    static {
        Arrays.fill(MEASUREMENT, (byte) 0x5a);
    }

    @TempDir
    static Path dir;

    static SimPlatform sim;
    static StewardPolicy policy;

    @BeforeAll
    static void simKeep() throws Exception {
        sim = new SimPlatform(dir.resolve("sim"), TestCsrs.at(NOW), MEASUREMENT::clone);
        KeepIdentity.create(sim, CachedCollateral.none()); // makes the sim chain
        Path file = dir.resolve("policy.toml");
        Files.writeString(
                file,
                "[sim]\nhash = [\"" + HexFormat.of().formatHex(MEASUREMENT) + "\"]\nchain = \"sim/"
                        + SimAuthority.CHAIN_FILE + "\"\n");
        policy = StewardPolicy.read(file);
    }

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        Instant now = NOW;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    static Steward steward(Clock clock, boolean required) {
        return new Steward(
                new Steward.Config(
                        CertificateAuthority.generate(NOW),
                        policy,
                        TrustAnchors.bundled(),
                        clock,
                        Steward.Config.DEFAULT_VALIDITY,
                        List.of("localhost")),
                new Steward.Freshness(required, Duration.ofMinutes(1)));
    }

    static byte[] csrWith(byte[] nonce) throws Exception {
        return KeepIdentity.create(sim, CachedCollateral.none(), Optional.of(nonce))
                .csr();
    }

    @Test
    void aReplayedCsrIsRefusedInFreshnessMode() throws Exception {
        Steward steward = steward(TestCsrs.at(NOW), true);
        byte[] csr = csrWith(steward.issueNonce());
        assertInstanceOf(Enrollment.Issued.class, steward.enroll(csr));
        var replay = assertInstanceOf(Enrollment.NoAttestation.class, steward.enroll(csr));
        assertEquals("freshness", replay.cause());
        assertTrue(replay.reason().contains("already used"), replay.reason());
    }

    @Test
    void aCsrWithoutANonceIsRefusedInFreshnessModeAndAcceptedInEnarxMode() throws Exception {
        byte[] enarx = KeepIdentity.create(sim, CachedCollateral.none()).csr();
        var refused = assertInstanceOf(
                Enrollment.NoAttestation.class, steward(TestCsrs.at(NOW), true).enroll(enarx));
        assertEquals("freshness", refused.cause());
        assertTrue(refused.reason().contains("POST /nonce"), refused.reason());
        Steward compatible = steward(TestCsrs.at(NOW), false);
        assertInstanceOf(Enrollment.Issued.class, compatible.enroll(enarx));
        assertInstanceOf(Enrollment.Issued.class, compatible.enroll(enarx), "Enarx mode: replayable, as documented");
    }

    @Test
    void staleForgedAndForeignNoncesAreRefused() throws Exception {
        MovableClock clock = new MovableClock();
        Steward steward = steward(clock, true);
        byte[] stale = steward.issueNonce();
        clock.now = NOW.plusSeconds(61);
        assertEquals(
                "freshness",
                assertInstanceOf(Enrollment.NoAttestation.class, steward.enroll(csrWith(stale)))
                        .cause());

        byte[] forged = steward.issueNonce();
        forged[0] ^= 1; // another expiry, same tag: the tag no longer matches
        var f = assertInstanceOf(Enrollment.NoAttestation.class, steward.enroll(csrWith(forged)));
        assertTrue(f.reason().contains("not issued by this Steward"), f.reason());

        byte[] foreign = steward(clock, true).issueNonce();
        assertEquals(
                "freshness",
                assertInstanceOf(Enrollment.NoAttestation.class, steward.enroll(csrWith(foreign)))
                        .cause());
        assertInstanceOf(Enrollment.Issued.class, steward.enroll(csrWith(steward.issueNonce())));
    }

    @Test
    void aNonceIsCheckedInEnarxModeTooAndMustBeTheOneTheEvidenceBinds() throws Exception {
        Steward steward = steward(TestCsrs.at(NOW), false);
        byte[] csr = csrWith(steward.issueNonce());
        assertInstanceOf(Enrollment.Issued.class, steward.enroll(csr));
        assertEquals(
                "freshness",
                assertInstanceOf(Enrollment.NoAttestation.class, steward.enroll(csr))
                        .cause(),
                "a Keep that asked for a nonce is never replayed");

        // the CSR names one nonce, the evidence binds another
        byte[] named = steward.issueNonce();
        byte[] bound = steward.issueNonce();
        KeyPair keys = KeepIdentity.newKeyPair(sim.backend());
        var evidence = sim.attest(ReportData.ofPublicKey(
                sim.backend().reportDataHash(), keys.getPublic().getEncoded(), Optional.of(bound)));
        byte[] swapped = KeepCsr.build(
                keys, CachedCollateral.none().evidenceExtension(evidence).toExtension(), NonceExtension.encode(named));
        assertEquals(
                "binding",
                assertInstanceOf(Enrollment.NoAttestation.class, steward.enroll(swapped))
                        .cause());
    }

    @Test
    void theKeyHalfOfTheReportDataIsStillEnarxs() throws Exception {
        // verifiers that check only hash(key) (Intel's, for SGX/TDX CSRs) still see the key they expect
        byte[] spki = KeepIdentity.newKeyPair(sim.backend()).getPublic().getEncoded();
        byte[] plain = ReportData.ofPublicKey(sim.backend().reportDataHash(), spki);
        byte[] fresh = ReportData.ofPublicKey(sim.backend().reportDataHash(), spki, Optional.of(new byte[32]));
        assertEquals(HexFormat.of().formatHex(plain, 0, 48), HexFormat.of().formatHex(fresh, 0, 48));
        assertTrue(!Arrays.equals(plain, fresh));
    }

    @Test
    void aReplayedCsrIsRefusedOverHttp() throws Exception {
        try (StewardServer server = StewardServer.start(new StewardServer.Config(
                steward(Clock.systemUTC(), true), new InetSocketAddress("127.0.0.1", 0), Optional.empty()))) {
            HttpClient client = HttpClient.newHttpClient();
            var nonce = client.send(
                    HttpRequest.newBuilder(server.baseUri().resolve("/nonce"))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, nonce.statusCode());
            assertEquals(
                    "application/octet-stream",
                    nonce.headers().firstValue("Content-Type").orElse(""));
            assertEquals(32, nonce.body().length);
            assertEquals(
                    405,
                    client.send(
                                    HttpRequest.newBuilder(server.baseUri().resolve("/nonce"))
                                            .GET()
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode());
            byte[] csr = csrWith(nonce.body());
            HttpRequest enroll = HttpRequest.newBuilder(server.baseUri())
                    .header("Content-Type", "application/pkcs10")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(csr))
                    .build();
            assertEquals(
                    200,
                    client.send(enroll, HttpResponse.BodyHandlers.ofString()).statusCode());
            var replay = client.send(enroll, HttpResponse.BodyHandlers.ofString());
            assertEquals(401, replay.statusCode());
            assertTrue(replay.body().startsWith("no attestation: the CSR's nonce was already used"), replay.body());
        }
    }
}
