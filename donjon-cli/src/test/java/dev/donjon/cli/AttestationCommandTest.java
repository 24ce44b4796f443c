package dev.donjon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.donjon.abi.snp.ProductLine;
import dev.donjon.abi.snp.SigningKey;
import dev.donjon.testing.TestAmd;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttestationCommandTest {

    static final Path VECTORS = Path.of(System.getProperty("donjon.shared", "../../shared"), "vectors");

    record Run(int exit, String out, String err) {}

    static synchronized Run run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = Donjon.execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static String v(String relative) {
        return VECTORS.resolve(relative).toString();
    }

    @Test
    void verifyCasesRunsTheWholeCorpus() {
        Run r = run("attestation", "verify-cases", v("cases.json"));
        String[] lines = r.out().strip().split("\n");
        assertEquals(39, lines.length, r.out());
        assertEquals("38 passed, 0 failed", lines[38], r.out());
        assertEquals(0, r.exit(), r.out() + r.err());
    }

    @Test
    void aDebugTeeIsRefusedWithoutAPolicyUnlessAllowed() throws Exception {
        // go-sev-guest's report comes from a guest with the SNP debug policy bit set: its host can read its memory
        String[] debugReport = {
            "attestation",
            "verify",
            "--tee",
            "snp",
            "--evidence",
            v("snp/go-sev-guest/attestation.bin"),
            "--vcek",
            v("snp/go-sev-guest/vcek.testcer"),
            "--chain",
            v("amd/milan/ask_ark.pem"),
            "--now",
            "2024-06-01T00:00:00Z"
        };
        Run r = run(debugReport);
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(
                r.out().contains("debug:    REJECTED: the TEE runs in DEBUG mode")
                        && r.out().strip().endsWith("verdict:  REJECTED"),
                r.out());
        JsonNode json =
                new ObjectMapper().readTree(run(concat(debugReport, "--json")).out());
        assertEquals(false, json.get("accepted").asBoolean());
        assertEquals("policy", json.get("reason").asText());
        Run both = run(concat(debugReport, "--allow-debug", "--policy", v("enarx/steward/steward.toml")));
        assertEquals(OneLineErrors.USAGE, both.exit(), both.err());
    }

    @Test
    void verifiesAnSnpReport() {
        Run r = run(
                "attestation",
                "verify",
                "--tee",
                "snp",
                "--evidence",
                v("snp/go-sev-guest/attestation.bin"),
                "--allow-debug",
                "--vcek",
                v("snp/go-sev-guest/vcek.testcer"),
                "--chain",
                v("amd/milan/ask_ark.pem"),
                "--now",
                "2024-06-01T00:00:00Z");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("WARNING:  the TEE runs in DEBUG mode"), r.out());
        assertTrue(
                r.out()
                        .contains(
                                "measurement: b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01"),
                r.out());
        assertTrue(r.out().strip().endsWith("verdict:  ACCEPTED"), r.out());
    }

    @Test
    void rejectsAFlippedReportWithTheReason() throws Exception {
        Run r = run(
                "attestation",
                "verify",
                "--tee",
                "snp",
                "--evidence",
                v("snp/go-sev-guest/attestation-flip80.bin"),
                "--vcek",
                v("snp/go-sev-guest/vcek.testcer"),
                "--chain",
                v("amd/milan/ask_ark.pem"),
                "--now",
                "2024-06-01T00:00:00Z",
                "--json");
        assertEquals(1, r.exit(), r.out() + r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(false, json.get("accepted").asBoolean());
        assertEquals("signature", json.get("reason").asText());
    }

    @Test
    void expiredAtTheGivenInstant() {
        Run r = run(
                "attestation",
                "verify",
                "--tee",
                "snp",
                "--evidence",
                v("snp/go-sev-guest/attestation.bin"),
                "--vcek",
                v("snp/go-sev-guest/vcek.testcer"),
                "--chain",
                v("amd/milan/ask_ark.pem"),
                "--now",
                "2029-10-01T00:00:00Z");
        assertEquals(1, r.exit());
        assertTrue(r.out().contains("evidence: REJECTED (expired)"), r.out());
    }

    @Test
    void hexEncodingAndInferredCsrContainer() {
        Run hex = run(
                "attestation",
                "verify",
                "--tee",
                "snp",
                "--evidence",
                v("snp/virtee/report_milan.hex"),
                "--encoding",
                "hex",
                "--vcek",
                v("snp/virtee/vcek_milan.der"),
                "--chain",
                v("amd/milan/ask_ark.pem"),
                "--now",
                "2024-06-01T00:00:00Z");
        assertEquals(0, hex.exit(), hex.out() + hex.err());
        Run csr = run(
                "attestation",
                "verify",
                "--tee",
                "snp",
                "--evidence",
                v("enarx/steward/milan.signed.crl.csr"),
                "--chain",
                v("amd/milan/ask_ark.pem"),
                "--now",
                "2023-01-15T00:00:00Z",
                "--json");
        assertEquals(0, csr.exit(), csr.out() + csr.err());
    }

    @Test
    void policyDecidesAfterVerification(@TempDir Path tmp) throws Exception {
        String steward = v("enarx/steward/steward.toml");
        String[] base = {
            "attestation",
            "verify",
            "--tee",
            "snp",
            "--evidence",
            v("enarx/steward/milan.signed.crl.csr"),
            "--chain",
            v("amd/milan/ask_ark.pem"),
            "--now",
            "2023-01-15T00:00:00Z"
        };
        Run ok = run(concat(base, "--policy", steward));
        assertEquals(0, ok.exit(), ok.out() + ok.err());
        assertTrue(ok.out().contains("policy:   accepted"), ok.out());

        Path strict = tmp.resolve("strict.toml");
        Files.writeString(strict, Files.readString(Path.of(steward)).replace("abi = \">=1.51\"", "abi = \">254.0\""));
        Run no = run(concat(base, "--policy", strict.toString(), "--json"));
        assertEquals(1, no.exit(), no.out() + no.err());
        JsonNode json = new ObjectMapper().readTree(no.out());
        assertEquals("policy", json.get("reason").asText());
        assertEquals("snp.abi", json.get("policy").get("rule").asText());
    }

    @Test
    void badInputIsOneLine(@TempDir Path tmp) throws Exception {
        Run missing = run(
                "attestation",
                "verify",
                "--tee",
                "snp",
                "--evidence",
                tmp.resolve("nope.bin").toString());
        assertEquals(1, missing.exit());
        assertEquals(
                "donjon: no such file: " + tmp.resolve("nope.bin"),
                missing.err().strip());
        Run now = run(
                "attestation",
                "verify",
                "--tee",
                "snp",
                "--evidence",
                v("snp/go-sev-guest/attestation.bin"),
                "--now",
                "June");
        assertEquals(1, now.exit());
        assertEquals(1, now.err().strip().lines().count(), now.err());
        Path badPolicy = Files.writeString(tmp.resolve("p.toml"), "[snp]\nhash = [\"00\"]\n");
        Run policy = run(
                "attestation",
                "verify",
                "--tee",
                "snp",
                "--evidence",
                v("snp/go-sev-guest/attestation.bin"),
                "--policy",
                badPolicy.toString());
        assertEquals(1, policy.exit());
        assertTrue(policy.err().startsWith("donjon: " + badPolicy + ": snp.hash: expected 48 bytes"), policy.err());
        Run manifest =
                run("attestation", "verify-cases", tmp.resolve("none.json").toString());
        assertEquals(1, manifest.exit());
        assertEquals(1, manifest.err().strip().lines().count(), manifest.err());
    }

    @Test
    void truncatedEvidenceIsRejectedAsMalformed(@TempDir Path tmp) throws Exception {
        Path cut = tmp.resolve("cut.bin");
        Files.write(
                cut, java.util.Arrays.copyOf(Files.readAllBytes(Path.of(v("snp/go-sev-guest/attestation.bin"))), 100));
        Run r = run(
                "attestation",
                "verify",
                "--tee",
                "snp",
                "--evidence",
                cut.toString(),
                "--vcek",
                v("snp/go-sev-guest/vcek.testcer"),
                "--chain",
                v("amd/milan/ask_ark.pem"),
                "--now",
                "2024-06-01T00:00:00Z");
        assertEquals(1, r.exit());
        assertTrue(r.out().contains("REJECTED (malformed)"), r.out());
    }

    @Test
    void verifiesSgxAndTdxQuotesWithTheirCollateral() throws Exception {
        Run sgx = run(
                "attestation",
                "verify",
                "--tee",
                "sgx",
                "--evidence",
                v("sgx/dcap-qvl/sgx_quote"),
                "--collateral",
                v("sgx/dcap-qvl/sgx_quote_collateral.json"),
                "--root-ca",
                v("intel/Intel_SGX_Root_CA.der"),
                "--now",
                "2025-07-19T10:01:17Z",
                "--json");
        assertEquals(0, sgx.exit(), sgx.out() + sgx.err());
        JsonNode s = new ObjectMapper().readTree(sgx.out());
        assertEquals("sgx", s.get("tee").asText());
        assertEquals(false, s.get("simulated").asBoolean());
        assertTrue(s.get("claims").has("mr_enclave"), sgx.out());

        Run tdx = run(
                "attestation",
                "verify",
                "--tee",
                "tdx",
                "--evidence",
                v("tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat"),
                "--tcb-info",
                v("tdx/go-tdx-guest/sample_tcbInfo_response"),
                "--tcb-info-chain",
                v("tdx/go-tdx-guest/tcbInfoIssuerChain.pem"),
                "--qe-identity",
                v("tdx/go-tdx-guest/sample_qeIdentity_response"),
                "--qe-identity-chain",
                v("tdx/go-tdx-guest/qeIdentityIssuerChain.pem"),
                "--root-ca",
                v("tdx/go-tdx-guest/trusted_root.pem"),
                "--now",
                "2023-07-01T00:00:00Z");
        assertEquals(1, tdx.exit(), tdx.out() + tdx.err()); // the manifest's tdx-gtdx-spr-e4-tcb-not-supported
        assertTrue(tdx.out().contains("evidence: REJECTED (tcb-level)"), tdx.out());

        Run v4 = run(
                "attestation",
                "verify",
                "--tee",
                "tdx",
                "--evidence",
                v("tdx/dcap-qvl/tdx_quote"),
                "--collateral",
                v("tdx/dcap-qvl/tdx_quote_collateral.json"),
                "--root-ca",
                v("intel/Intel_SGX_Root_CA.der"),
                "--now",
                "2025-07-19T10:00:34Z");
        assertEquals(0, v4.exit(), v4.out() + v4.err());
        assertTrue(v4.out().contains("mr_td: "), v4.out());
    }

    @Test
    void malformedEvidenceOfEveryTeeIsOneRejectLine(@TempDir Path tmp) throws Exception {
        Path junk = Files.write(tmp.resolve("junk.bin"), new byte[] {3, 0, 2, 0, 0, 0, 0, 0, 1, 2, 3});
        for (String tee : new String[] {"snp", "sgx", "tdx"}) {
            Run r = run(
                    "attestation",
                    "verify",
                    "--tee",
                    tee,
                    "--evidence",
                    junk.toString(),
                    "--root-ca",
                    v("intel/Intel_SGX_Root_CA.der"),
                    "--chain",
                    v("amd/milan/ask_ark.pem"),
                    "--now",
                    "2025-01-01T00:00:00Z");
            assertEquals(1, r.exit(), tee + ": " + r.out() + r.err());
            assertEquals(
                    1,
                    r.out()
                            .lines()
                            .filter(l -> l.startsWith("evidence: REJECTED (malformed)"))
                            .count(),
                    r.out());
            assertTrue(r.err().isEmpty(), "no stack trace: " + r.err());
        }
    }

    @Test
    void simulatedEvidenceIsRefusedByDefaultAndShownAsSimulatedUnderSimRoot(@TempDir Path tmp) throws Exception {
        // the sim platform's shape: a real SEV-SNP report under a locally generated ARK -> ASK -> VCEK (AMD's profile)
        TestAmd sim = new TestAmd(ProductLine.MILAN);
        byte[] chip = TestAmd.chipId(1);
        Path report = Files.write(
                tmp.resolve("report.bin"), sim.report(3, SigningKey.VCEK, TestAmd.TCB, chip, TestAmd.chipId(0x40)));
        Path vcek =
                Files.write(tmp.resolve("vcek.der"), sim.vcek(TestAmd.TCB, chip).getEncoded());
        Path chain = Files.write(tmp.resolve("ask_ark.pem"), TestAmd.pem(sim.ask, sim.ark));
        Path ark = Files.write(tmp.resolve("sim_ark.pem"), TestAmd.pem(sim.ark));
        String[] base = {
            "attestation",
            "verify",
            "--tee",
            "snp",
            "--evidence",
            report.toString(),
            "--vcek",
            vcek.toString(),
            "--chain",
            chain.toString(),
            "--now",
            TestAmd.NOW.toString()
        };

        Run refused = run(base);
        assertEquals(1, refused.exit(), refused.out() + refused.err());
        assertTrue(
                refused.out().contains("evidence: REJECTED (chain)")
                        && refused.out().contains("not one of AMD's ARKs"),
                refused.out());

        Run simulated = run(concat(base, "--sim-root", ark.toString()));
        assertEquals(0, simulated.exit(), simulated.out() + simulated.err());
        assertTrue(simulated.out().contains("evidence: SIMULATED"), simulated.out());
        assertTrue(simulated.out().strip().endsWith("verdict:  ACCEPTED (SIMULATED)"), simulated.out());

        Run json = run(concat(base, "--sim-root", ark.toString(), "--json"));
        JsonNode j = new ObjectMapper().readTree(json.out());
        assertEquals(true, j.get("simulated").asBoolean());
        assertTrue(j.get("warning").asText().startsWith("SIMULATED"), json.out());
        assertEquals("true", j.get("claims").get("simulated").asText());

        Run wrongTee = run(
                "attestation", "verify", "--tee", "sgx", "--evidence", report.toString(), "--sim-root", ark.toString());
        assertEquals(1, wrongTee.exit());
        assertEquals(1, wrongTee.err().strip().lines().count(), wrongTee.err());
    }

    @Test
    void theSimPlatformsEvidenceVerifiesOnlyUnderItsSimRoot(@TempDir Path tmp) throws Exception {
        // end to end with the real sim backend (donjon-platform): its report, its VCEK, its ASK+ARK bundle
        java.time.Clock clock =
                java.time.Clock.fixed(java.time.Instant.parse("2026-01-01T00:00:00Z"), java.time.ZoneOffset.UTC);
        var sim = new dev.donjon.platform.sim.SimPlatform(tmp.resolve("sim"), clock);
        var evidence = (dev.donjon.platform.Evidence.SnpReport) sim.attest(new byte[64]);
        Path report = Files.write(tmp.resolve("report.bin"), evidence.report());
        Path vcek = Files.write(tmp.resolve("vcek.der"), evidence.vcek().orElseThrow());
        Path chain = tmp.resolve("sim").resolve(dev.donjon.platform.sim.SimAuthority.CHAIN_FILE);
        String[] base = {
            "attestation",
            "verify",
            "--tee",
            "snp",
            "--evidence",
            report.toString(),
            "--vcek",
            vcek.toString(),
            "--chain",
            chain.toString(),
            "--now",
            "2026-06-01T00:00:00Z",
            "--json"
        };

        Run refused = run(base);
        assertEquals(1, refused.exit(), refused.out() + refused.err());
        assertEquals(
                "chain",
                new ObjectMapper().readTree(refused.out()).get("reason").asText(),
                refused.out());

        Run accepted = run(concat(base, "--sim-root", chain.toString()));
        assertEquals(0, accepted.exit(), accepted.out() + accepted.err());
        JsonNode j = new ObjectMapper().readTree(accepted.out());
        assertEquals(true, j.get("simulated").asBoolean(), accepted.out());
        assertEquals("Milan", j.get("claims").get("product").asText(), accepted.out());
    }

    static String[] concat(String[] a, String... b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }
}
