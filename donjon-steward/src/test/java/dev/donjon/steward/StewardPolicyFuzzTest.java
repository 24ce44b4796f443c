package dev.donjon.steward;

import static dev.donjon.testing.PolicyReads.policyOrOneLineError;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.donjon.attestation.policy.PolicyToml;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Jazzer fuzz target for {@link StewardPolicy#read}: the attestation policy plus the Steward's {@code [sim].chain} (a
 * file read relative to the policy, then the rest re-read by PolicyToml). Any file either reads as a policy or is refused
 * with a {@code PolicyException} carrying one printable line; anything else is a finding. Seeds: Enarx's steward.toml and
 * {@code StewardPolicyFuzzTestInputs/stewardPolicy}; {@code ./mvnw verify} replays them.
 * Fuzzing: {@code donjon-attestation/fuzz.sh 5m donjon-steward/StewardPolicyFuzzTest#stewardPolicy} (FUZZING.md).
 */
class StewardPolicyFuzzTest {

    // a policy directory holding the sim chain that the seed's [sim].chain names; the policy file is rewritten per
    // input
    private static final Path FILE = policyFile();

    static Stream<Arguments> policies() throws IOException {
        return Stream.of(Arguments.of((Object) Files.readAllBytes(TestCsrs.STEWARD.resolve("steward.toml"))));
    }

    @MethodSource("policies")
    @DictionaryFile(resourcePath = "/dev/donjon/testing/policy-toml.dict")
    @FuzzTest
    void stewardPolicy(byte[] data) throws IOException {
        Files.write(FILE, data);
        policyOrOneLineError(PolicyToml.PolicyException.class, () -> StewardPolicy.read(FILE));
    }

    private static Path policyFile() {
        try {
            Path dir = Files.createTempDirectory("donjon-steward-policy-fuzz");
            Path chain = Files.writeString(
                    dir.resolve("sim-chain.pem"), "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
            Path policy = dir.resolve("policy.toml");
            for (Path p : new Path[] {dir, chain, policy}) p.toFile().deleteOnExit();
            return policy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
