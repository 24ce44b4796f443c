package dev.donjon.steward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.abi.csr.ClaimsExtension;
import dev.donjon.abi.csr.EvidenceOids;
import dev.donjon.abi.csr.WorkloadIdentity;
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
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Primitive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keeps of donjon-platform's sim backend: certified only under an explicit [sim] section that pins their chain. */
class SimEnrollmentTest {
    static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    static final byte[] MEASUREMENT = new byte[48];

    static {
        Arrays.fill(MEASUREMENT, (byte) 0x5a);
    }

    /** Shared by the tests: a sim chain costs two RSA-4096 key generations; each test's policy file is its own. */
    @TempDir
    static Path dir;

    private SimPlatform sim(String name, byte[] measurement) {
        return new SimPlatform(dir.resolve(name), TestCsrs.at(NOW), measurement::clone);
    }

    private StewardPolicy simPolicy(String chainOf, byte[] measurement) throws Exception {
        Path file = Files.createTempFile(dir, "policy", ".toml");
        Files.writeString(
                file,
                "[sim]\nhash = [\"" + HexFormat.of().formatHex(measurement) + "\"]\n" + "chain = \"" + chainOf + "/"
                        + SimAuthority.CHAIN_FILE + "\"\n");
        return StewardPolicy.read(file);
    }

    private static byte[] csr(SimPlatform sim) throws Exception {
        return KeepIdentity.create(sim, CachedCollateral.none()).csr();
    }

    @Test
    void simKeepEnrollsUnderSimAndIsLabelledSimulated() throws Exception {
        SimPlatform sim = sim("sim", MEASUREMENT);
        byte[] csr = csr(sim);
        Steward steward = TestCsrs.steward(simPolicy("sim", MEASUREMENT), NOW);
        var issued = assertInstanceOf(Enrollment.Issued.class, steward.enroll(csr));
        issued.certificate().verify(steward.ca().certificate().getPublicKey());
        ClaimsExtension claims = ClaimsExtension.from(issued.certificate()).orElseThrow();
        assertEquals("sim", claims.tee());
        assertEquals(HexFormat.of().formatHex(MEASUREMENT), claims.measurementHex());
        assertTrue(
                issued.keep().notes().stream().anyMatch(n -> n.contains("SIMULATED")),
                issued.keep().notes().toString());
    }

    @Test
    void simKeepIsRefusedWithoutSimOrWithAnotherMeasurementOrChain() throws Exception {
        byte[] csr = csr(sim("sim", MEASUREMENT));
        var noSim = assertInstanceOf(
                Enrollment.Refused.class,
                TestCsrs.steward(TestCsrs.stewardToml(), NOW).enroll(csr));
        assertEquals("sim", noSim.rule());

        byte[] other = MEASUREMENT.clone();
        other[0] ^= 1;
        var wrongHash = assertInstanceOf(
                Enrollment.Refused.class,
                TestCsrs.steward(simPolicy("sim", other), NOW).enroll(csr));
        assertEquals("sim.hash", wrongHash.rule());

        csr(sim("elsewhere", MEASUREMENT)); // another user's sim chain
        var wrongChain = assertInstanceOf(
                Enrollment.NoAttestation.class,
                TestCsrs.steward(simPolicy("elsewhere", MEASUREMENT), NOW).enroll(csr));
        assertEquals("chain", wrongChain.cause(), wrongChain.reason());
    }

    @Test
    void simEvidenceCannotPassForSnp() throws Exception {
        // the sim extension's content under the real SNP OID: the SNP verifier trusts AMD's ARKs only
        SimPlatform sim = sim("sim", MEASUREMENT);
        byte[] evidence = TestCsrs.evidenceOf(csr(sim), EvidenceOids.SIM);
        String toml = Files.readString(TestCsrs.STEWARD.resolve("steward.toml"));
        StewardPolicy both = StewardPolicy.parse(
                toml + "\n[sim]\nhash = [\"" + HexFormat.of().formatHex(MEASUREMENT) + "\"]\nchain = \"sim/"
                        + SimAuthority.CHAIN_FILE + "\"\n",
                dir);
        var kp = dev.donjon.platform.identity.KeepIdentity.newKeyPair(dev.donjon.platform.Backend.SIM);
        byte[] asSnp = dev.donjon.abi.csr.KeepCsr.build(kp, TestCsrs.ext(EvidenceOids.SNP, evidence));
        var r = assertInstanceOf(
                Enrollment.NoAttestation.class, TestCsrs.steward(both, NOW).enroll(asSnp));
        assertEquals("chain", r.cause(), r.reason());
    }

    @Test
    void simKeepEnrollsOverHttpAndOthersAreRefused() throws Exception {
        SimPlatform sim = sim("sim", MEASUREMENT);
        byte[] csr = csr(sim);
        try (StewardServer on = StewardServer.start(new StewardServer.Config(
                        TestCsrs.steward(simPolicy("sim", MEASUREMENT), NOW),
                        new InetSocketAddress("127.0.0.1", 0),
                        Optional.empty()));
                StewardServer off = StewardServer.start(new StewardServer.Config(
                        TestCsrs.steward(TestCsrs.stewardToml(), NOW),
                        new InetSocketAddress("127.0.0.1", 0),
                        Optional.empty()))) {
            HttpClient client = HttpClient.newHttpClient();
            var ok = client.send(
                    HttpRequest.newBuilder(on.baseUri())
                            .header("Content-Type", "application/pkcs10")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(csr))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, ok.statusCode(), new String(ok.body()));
            List<java.security.cert.X509Certificate> chain =
                    StewardHttpTest.certificates(ASN1Primitive.fromByteArray(ok.body()));
            assertEquals("sim", ClaimsExtension.from(chain.get(1)).orElseThrow().tee());
            var refused = client.send(
                    HttpRequest.newBuilder(off.baseUri())
                            .header("Content-Type", "application/pkcs10")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(csr))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, refused.statusCode());
            assertTrue(refused.body().contains("SIMULATED"), refused.body());
        }
    }

    @Test
    void theWorkloadTheKeepNamesIsInTheCertificate() throws Exception {
        var workload = new WorkloadIdentity(
                Optional.of("127.0.0.1:8443/alice/rot13:1.0.0"),
                Optional.of(new WorkloadIdentity.Digest("sha-256", new byte[32])));
        var ext = new org.bouncycastle.asn1.x509.Extension(
                EvidenceOids.WORKLOAD_IDENTITY, false, workload.toAsn1().getEncoded("DER"));
        byte[] csr = KeepIdentity.create(sim("sim", MEASUREMENT), CachedCollateral.none(), ext)
                .csr();
        var issued = assertInstanceOf(
                Enrollment.Issued.class,
                TestCsrs.steward(simPolicy("sim", MEASUREMENT), NOW).enroll(csr));
        WorkloadIdentity got = ClaimsExtension.from(issued.certificate())
                .orElseThrow()
                .workload()
                .orElseThrow();
        assertEquals(workload.slug(), got.slug());
        assertEquals("sha-256:" + "00".repeat(32), got.digest().orElseThrow().toString());
    }
}
