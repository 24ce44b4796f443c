package dev.donjon.steward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.platform.identity.CachedCollateral;
import dev.donjon.platform.identity.KeepIdentity;
import dev.donjon.platform.sim.SimAuthority;
import dev.donjon.platform.sim.SimPlatform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CSRs of the sim platform: issued only under a [sim] section that names the sim root, judged by its rules alone. */
class SimEnrollmentTest {

    static final byte[] MEASUREMENT = new byte[48];
    static {
        Arrays.fill(MEASUREMENT, (byte) 0x5a);
    }

    @TempDir Path dir;

    private byte[] simCsr() throws Exception {
        SimPlatform sim = new SimPlatform(dir.resolve("sim"), Clock.systemUTC(), MEASUREMENT::clone);
        byte[] csr = KeepIdentity.create(sim, CachedCollateral.none()).csr();
        Files.write(dir.resolve("sim-chain.pem"), sim.authority().chainPem());
        return csr;
    }

    private Enrollment enroll(byte[] csr, String policy) throws Exception {
        Instant now = Instant.now();
        return TestCsrs.steward(StewardPolicy.parse(policy, dir), now).enroll(csr);
    }

    @Test
    void simEvidenceWithThePinnedMeasurementIsIssuedAndSaysSim() throws Exception {
        byte[] csr = simCsr();
        Enrollment e = enroll(csr, "[sim]\nchain = \"sim-chain.pem\"\nhash = [\"" + HexFormat.of().formatHex(MEASUREMENT) + "\"]\n");
        Enrollment.Issued issued = assertInstanceOf(Enrollment.Issued.class, e, e.toString());
        ClaimsExtension claims = ClaimsExtension.from(issued.certificate()).orElseThrow();
        assertEquals("sim", claims.tee());
        assertEquals(HexFormat.of().formatHex(MEASUREMENT), claims.measurementHex());
        assertTrue(issued.keep().notes().stream().anyMatch(n -> n.contains("SIMULATED")), issued.keep().notes().toString());
    }

    @Test
    void anotherMeasurementIsRefusedBySimRules() throws Exception {
        String other = "ab".repeat(48);
        Enrollment e = enroll(simCsr(), "[sim]\nchain = \"sim-chain.pem\"\nhash = [\"" + other + "\"]\n");
        Enrollment.Refused refused = assertInstanceOf(Enrollment.Refused.class, e, e.toString());
        assertTrue(refused.rule().startsWith("sim"), refused.rule());
    }

    @Test
    void withoutASimSectionSimEvidenceIsRefused() throws Exception {
        Enrollment e = enroll(simCsr(), "[snp]\nhash = [\"" + HexFormat.of().formatHex(MEASUREMENT) + "\"]\n");
        Enrollment.Refused refused = assertInstanceOf(Enrollment.Refused.class, e, e.toString());
        assertEquals("sim", refused.rule());
    }

    @Test
    void simEvidenceUnderAnotherSimRootDoesNotVerify() throws Exception {
        byte[] csr = simCsr();
        SimPlatform stranger = new SimPlatform(dir.resolve("other-sim"), Clock.systemUTC(), MEASUREMENT::clone);
        Files.write(dir.resolve("other-chain.pem"), stranger.authority().chainPem());
        Enrollment e = enroll(csr, "[sim]\nchain = \"other-chain.pem\"\nhash = [\"" + HexFormat.of().formatHex(MEASUREMENT) + "\"]\n");
        assertInstanceOf(Enrollment.NoAttestation.class, e, e.toString());
    }
}
