package dev.donjon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.donjon.cli.AttestationCommandTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code donjon platform info} on a machine laid out in a temporary directory (no TEE; Gramine tree optional). */
class PlatformInfoCommandTest {

    @TempDir
    Path tmp;

    @BeforeEach
    void machineWithoutTee() {
        environment(Map.of());
    }

    @AfterEach
    void realEnvironment() {
        PlatformInfoCommand.environment = System.getenv();
    }

    private void environment(Map<String, String> extra) {
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "DONJON_TSM_REPORT", tmp.resolve("sys/kernel/config/tsm/report").toString(),
                "DONJON_SEV_GUEST", tmp.resolve("dev/sev-guest").toString(),
                "DONJON_TDX_GUEST", tmp.resolve("dev/tdx_guest").toString(),
                "DONJON_CPUINFO", tmp.resolve("proc/cpuinfo").toString(),
                "DONJON_GRAMINE_ATTESTATION", tmp.resolve("dev/attestation").toString(),
                "DONJON_SIM_DIR", tmp.resolve("share/donjon/sim").toString()));
        env.putAll(extra);
        PlatformInfoCommand.environment = env;
    }

    @Test
    void treeOfChecksPerBackendAndTheAutoSelection() {
        Run r = AttestationCommandTest.run("platform", "info");
        assertEquals(0, r.exit(), r.out() + r.err());
        List<String> heads = new ArrayList<>();
        for (String line : r.out().split("\n")) if (line.startsWith("✔ ") || line.startsWith("✗ ")) heads.add(line);
        assertEquals(
                List.of(
                        "✗ sgx: not usable",
                        "✗ snp: not usable",
                        "✗ tdx: not usable",
                        "✔ sim: usable  SIMULATED: proves nothing about hardware",
                        "✔ nil: usable  no TEE: no protection"),
                heads,
                r.out());
        assertTrue(
                r.out().contains("    ✗ configfs-tsm: " + tmp.resolve("sys/kernel/config/tsm/report") + " absent"),
                r.out());
        assertTrue(
                r.out()
                        .contains(
                                "selected for donjon run:       nil (INSECURE: no hardware protection) - no TEE found (sgx: "),
                r.out());
        assertTrue(r.out().contains("selected when TEE required:    none - no TEE is usable on this machine"), r.out());
        assertFalse(Files.exists(tmp.resolve("share/donjon/sim")), "info does not make the sim chain");
    }

    @Test
    void jsonCarriesTheSameTree() throws Exception {
        Path gramine = Files.createDirectories(tmp.resolve("dev/attestation"));
        Files.writeString(gramine.resolve("attestation_type"), "none");
        Run r = AttestationCommandTest.run("platform", "info", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(5, json.get("backends").size());
        JsonNode sgx = json.get("backends").get(0);
        assertEquals("sgx", sgx.get("backend").asText());
        assertFalse(sgx.get("usable").asBoolean());
        JsonNode type = sgx.get("checks").get(0).get("children").get(0);
        assertEquals("attestation_type", type.get("name").asText());
        assertFalse(type.get("ok").asBoolean());
        JsonNode sim = json.get("backends").get(3);
        assertTrue(sim.get("simulated").asBoolean());
        assertFalse(sim.get("hardware").asBoolean());
        assertTrue(json.get("selected").get("run").asText().startsWith("nil"));
    }

    @Test
    void namedBackendExitsOneWhenNotUsable() {
        Run snp = AttestationCommandTest.run("platform", "info", "--backend", "snp");
        assertEquals(1, snp.exit());
        assertTrue(snp.out().startsWith("✗ snp: not usable"), snp.out());
        assertFalse(snp.out().contains("sgx"), snp.out());
        Run sim = AttestationCommandTest.run("platform", "info", "--backend", "sim");
        assertEquals(0, sim.exit(), sim.out());
        assertTrue(sim.out().contains("measurement: "), sim.out());
        Run bad = AttestationCommandTest.run("platform", "info", "--backend", "quantum");
        assertEquals(1, bad.exit());
        assertEquals(
                "donjon: --backend: unknown backend 'quantum' (known: sgx, snp, tdx, sim, nil; Enarx's sev, kvm)",
                bad.err().strip());
        // Enarx's kvm (a VM without a TEE) is Donjon's nil
        Run kvm = AttestationCommandTest.run("platform", "info", "--backend", "kvm");
        assertEquals(0, kvm.exit(), kvm.err());
        assertTrue(kvm.out().contains("nil"), kvm.out());
    }

    @Test
    void withoutConfigfsTheSevGuestDeviceIsShownAsThePathInUse() throws Exception {
        Path device =
                Files.createFile(Files.createDirectories(tmp.resolve("dev")).resolve("sev-guest"));
        Run snp = AttestationCommandTest.run("platform", "info", "--backend", "snp");
        assertEquals(0, snp.exit(), snp.out() + snp.err());
        assertTrue(snp.out().startsWith("✔ snp: usable"), snp.out());
        assertTrue(
                snp.out().contains("    ✔ " + device + ": in use: SNP_GET_EXT_REPORT ioctl (configfs-tsm absent)"),
                snp.out());
        Run all = AttestationCommandTest.run("platform", "info");
        assertTrue(all.out().contains("selected when TEE required:    snp - "), all.out());
    }

    @Test
    void enarxBackendVariableDrivesTheSelectionShown() {
        environment(Map.of("ENARX_BACKEND", "sim"));
        Run r = AttestationCommandTest.run("platform", "info");
        assertTrue(
                r.out()
                        .contains(
                                "selected for donjon run:       sim (INSECURE: no hardware protection) - named by ENARX_BACKEND"),
                r.out());
        assertTrue(
                r.out()
                        .contains(
                                "selected when TEE required:    none - backend 'sim' (from ENARX_BACKEND) is not a hardware TEE"),
                r.out());
    }

    @Test
    void simChainIsMadeOnceAndPrintedAsAskThenArk() throws Exception {
        Run first = AttestationCommandTest.run("platform", "sim-chain");
        assertEquals(0, first.exit(), first.err());
        assertEquals(2, first.out().split("BEGIN CERTIFICATE").length - 1, first.out());
        assertTrue(first.err().contains("SIMULATED root ARK-Milan-Donjon-Sim"), first.err());
        Path out = tmp.resolve("sim-root.pem");
        Run second = AttestationCommandTest.run("platform", "sim-chain", "--out", out.toString());
        assertEquals(0, second.exit(), second.err());
        assertEquals(first.out(), Files.readString(out), "the same chain, not a new one");
        Run info = AttestationCommandTest.run("platform", "info", "--backend", "sim");
        assertTrue(
                info.out()
                        .contains(
                                "✔ sim chain: ARK-Milan-Donjon-Sim -> SEV-Milan-Donjon-Sim -> SEV-VCEK-Donjon-Sim, made "),
                info.out());
    }
}
