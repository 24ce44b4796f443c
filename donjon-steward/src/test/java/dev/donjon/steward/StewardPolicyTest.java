package dev.donjon.steward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.attestation.policy.PolicyToml.PolicyException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StewardPolicyTest {
    @TempDir
    Path dir;

    static final String SIM = "[sim]\nhash = [\"" + "ab".repeat(48) + "\"]\n";

    @Test
    void enarxStewardTomlHasNoSim() throws Exception {
        StewardPolicy p = TestCsrs.stewardToml();
        assertTrue(p.policy().snp().isPresent() && p.policy().sgx().isPresent());
        assertTrue(p.simChain().isEmpty() && p.policy().sim().isEmpty());
    }

    @Test
    void simNeedsItsChainFileRelativeToThePolicy() throws Exception {
        String sim = SIM;
        var missing = assertThrows(PolicyException.class, () -> StewardPolicy.parse(sim, dir));
        assertTrue(missing.getMessage().startsWith("sim.chain:"), missing.getMessage());
        Files.writeString(dir.resolve("sim-chain.pem"), "PEM");
        Files.writeString(dir.resolve("policy.toml"), sim + "chain = \"sim-chain.pem\"\n");
        StewardPolicy p = StewardPolicy.read(dir.resolve("policy.toml"));
        assertArrayEquals("PEM".getBytes(), p.simChain().orElseThrow());
        assertTrue(p.policy().sim().isPresent() && p.policy().snp().isEmpty());
        var unknown = assertThrows(
                PolicyException.class, () -> StewardPolicy.parse(sim + "chain = \"sim-chain.pem\"\nroot = 1\n", dir));
        assertTrue(unknown.getMessage().contains("sim.root: unknown key"), unknown.getMessage());
        assertEquals(
                "sim.chain: cannot read " + dir.resolve("nope.pem"),
                assertThrows(PolicyException.class, () -> StewardPolicy.parse(sim + "chain = \"nope.pem\"\n", dir))
                        .getMessage());
    }

    @Test
    void simChainMustBeAReadableRegularFileOfSensibleSize() throws Exception {
        var nul = assertThrows(
                PolicyException.class, () -> StewardPolicy.parse(SIM + "chain = \"a\\u0000b.pem\"\n", dir));
        assertTrue(nul.getMessage().startsWith("sim.chain: not a valid path: "), nul.getMessage());
        Files.createDirectory(dir.resolve("sub"));
        assertEquals(
                "sim.chain: " + dir.resolve("sub") + " is not a regular file",
                assertThrows(PolicyException.class, () -> StewardPolicy.parse(SIM + "chain = \"sub\"\n", dir))
                        .getMessage());
        Files.write(dir.resolve("huge.pem"), new byte[(int) StewardPolicy.MAX_CHAIN_BYTES + 1]);
        assertEquals(
                "sim.chain: " + dir.resolve("huge.pem") + " is larger than 1048576 bytes",
                assertThrows(PolicyException.class, () -> StewardPolicy.parse(SIM + "chain = \"huge.pem\"\n", dir))
                        .getMessage());
    }
}
