package dev.donjon.attestation.snp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.abi.csr.KeepCsr;
import dev.donjon.abi.snp.ProductLine;
import dev.donjon.attestation.Container;
import dev.donjon.attestation.Endorsements;
import dev.donjon.attestation.EvidenceInput;
import dev.donjon.attestation.RejectReason;
import dev.donjon.attestation.Tee;
import dev.donjon.attestation.VerificationResult;
import dev.donjon.attestation.policy.PolicyDecision;
import dev.donjon.attestation.policy.PolicyToml;
import dev.donjon.platform.Evidence;
import dev.donjon.platform.identity.CachedCollateral;
import dev.donjon.platform.identity.KeepIdentity;
import dev.donjon.platform.sim.SimAuthority;
import dev.donjon.platform.sim.SimPlatform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What donjon-platform's sim backend produces (reports, Keep CSRs) against the real SEV-SNP verifier: accepted, and
 * marked simulated, exactly when the verifier was configured with the sim ARK; refused otherwise.
 */
class SimPlatformEvidenceTest {

    @TempDir
    static Path home;

    static SimPlatform sim;
    static byte[] chainPem;
    static byte[] arkPem;
    static final byte[] MEASUREMENT = new byte[48];
    static final Instant NOW = Instant.now();

    @BeforeAll
    static void simChain() throws Exception {
        Arrays.fill(MEASUREMENT, (byte) 0xD0);
        sim = new SimPlatform(home.resolve("sim"), Clock.systemUTC(), MEASUREMENT::clone);
        sim.authority(); // makes the chain: two RSA-4096 keys, once for the class
        chainPem = Files.readAllBytes(sim.directory().resolve(SimAuthority.CHAIN_FILE));
        arkPem = Files.readAllBytes(sim.directory().resolve(SimAuthority.ARK_FILE));
    }

    private static SnpVerifier trustingSim() throws Exception {
        return new SnpVerifier(SnpTrustAnchors.amd().withSimulatedRoots(arkPem));
    }

    private static EvidenceInput csr(byte[] der) {
        return new EvidenceInput(
                Tee.SNP,
                Container.ENARX_CSR,
                der,
                new Endorsements(
                        Optional.empty(),
                        Optional.empty(),
                        Optional.of(chainPem),
                        List.of(),
                        Optional.empty(),
                        Optional.empty()));
    }

    @Test
    void aSimKeepCsrVerifiesUnderTheSimArkAndSaysSimulated() throws Exception {
        KeepIdentity id = KeepIdentity.create(sim, CachedCollateral.none());
        VerificationResult r = trustingSim().verify(csr(id.csr()), NOW);
        SnpClaims c = (SnpClaims) assertInstanceOf(VerificationResult.Accepted.class, r, r::toString)
                .claims();
        assertTrue(c.simulated());
        assertEquals(HexFormat.of().formatHex(MEASUREMENT), c.fields().get("measurement"));
        assertEquals(ProductLine.MILAN, c.product());
        assertFalse(c.debug());
    }

    @Test
    void withoutTheSimArkTheSameCsrIsRefused() throws Exception {
        KeepIdentity id = KeepIdentity.create(sim, CachedCollateral.none());
        VerificationResult r = new SnpVerifier().verify(csr(id.csr()), NOW);
        assertEquals(
                RejectReason.CHAIN,
                assertInstanceOf(VerificationResult.Rejected.class, r).reason());
    }

    @Test
    void aRawSimReportWithItsVcekVerifiesToo() throws Exception {
        Evidence.SnpReport e = (Evidence.SnpReport) sim.attest(new byte[64]);
        EvidenceInput input = new EvidenceInput(
                Tee.SNP,
                Container.SNP_REPORT,
                e.report(),
                new Endorsements(
                        e.vcek(),
                        Optional.empty(),
                        Optional.of(chainPem),
                        List.of(),
                        Optional.empty(),
                        Optional.empty()));
        assertInstanceOf(VerificationResult.Accepted.class, trustingSim().verify(input, NOW));
        byte[] flipped = e.report().clone();
        flipped[0x90] ^= 1; // the measurement
        VerificationResult r = trustingSim()
                .verify(new EvidenceInput(Tee.SNP, Container.SNP_REPORT, flipped, input.endorsements()), NOW);
        assertEquals(
                RejectReason.SIGNATURE,
                assertInstanceOf(VerificationResult.Rejected.class, r).reason());
    }

    @Test
    void evidenceForAnotherKeyIsABindingFailure() throws Exception {
        KeepIdentity a = KeepIdentity.create(sim, CachedCollateral.none());
        var otherKeys = KeepIdentity.newKeyPair(dev.donjon.platform.Backend.SIM);
        byte[] swapped = KeepCsr.build(
                otherKeys,
                CachedCollateral.none().evidenceExtension(a.evidence()).toExtension());
        VerificationResult r = trustingSim().verify(csr(swapped), NOW);
        assertEquals(
                RejectReason.BINDING,
                assertInstanceOf(VerificationResult.Rejected.class, r).reason());
    }

    @Test
    void aPolicyPinsTheRuntimeMeasurementUnderItsSimSection() throws Exception {
        KeepIdentity id = KeepIdentity.create(sim, CachedCollateral.none());
        var accepted = (VerificationResult.Accepted) trustingSim().verify(csr(id.csr()), NOW);
        String hex = HexFormat.of().formatHex(MEASUREMENT);
        assertTrue(PolicyToml.parse("[sim]\nhash = [\"" + hex + "\"]\n")
                .evaluate(accepted)
                .accepted());
        PolicyDecision other = PolicyToml.parse("[sim]\nhash = [\"" + "ab".repeat(48) + "\"]\n")
                .evaluate(accepted);
        assertFalse(other.accepted(), other.toString());
        PolicyDecision noSimSection =
                PolicyToml.parse("[snp]\nhash = [\"" + hex + "\"]\n").evaluate(accepted);
        assertFalse(noSimSection.accepted(), "sim evidence is never judged by the [snp] section: " + noSimSection);
    }

    @Test
    void theChainIsValidForYearsNotJustNow() throws Exception {
        KeepIdentity id = KeepIdentity.create(sim, CachedCollateral.none());
        assertInstanceOf(
                VerificationResult.Accepted.class,
                trustingSim().verify(csr(id.csr()), NOW.plus(Duration.ofDays(6 * 365))));
        assertEquals(
                RejectReason.EXPIRED,
                assertInstanceOf(
                                VerificationResult.Rejected.class,
                                trustingSim().verify(csr(id.csr()), NOW.plus(Duration.ofDays(8 * 365))))
                        .reason());
    }
}
