package dev.donjon.attestation.policy;

import static dev.donjon.testing.PolicyReads.policyOrOneLineError;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Jazzer fuzz target for {@link PolicyToml}: any file either reads as a policy or is refused with a
 * {@link PolicyToml.PolicyException} carrying one printable line; any other exception, a StackOverflowError, an
 * OutOfMemoryError or a hang is a finding. Seeds: Enarx's steward.toml (shared vectors) plus the files in
 * {@code PolicyFuzzTestInputs/policyToml} (every key of every section), which {@code ./mvnw verify} also replays.
 * Fuzzing: {@code donjon-attestation/fuzz.sh 5m 'PolicyFuzzTest#policyToml'} (FUZZING.md).
 */
class PolicyFuzzTest {

    // one file, rewritten per input: the target goes through PolicyToml.read, the operator's entry, bytes and all
    private static final Path FILE = tempFile();

    static Stream<Arguments> policies() throws IOException {
        byte[] steward = Files.readAllBytes(
                Path.of(System.getProperty("donjon.shared", "../../shared"), "vectors/enarx/steward/steward.toml"));
        return Stream.of(Arguments.of((Object) steward));
    }

    @MethodSource("policies")
    @DictionaryFile(resourcePath = "/dev/donjon/testing/policy-toml.dict")
    @FuzzTest
    void policyToml(byte[] data) throws IOException {
        Files.write(FILE, data);
        policyOrOneLineError(PolicyToml.PolicyException.class, () -> PolicyToml.read(FILE));
    }

    private static Path tempFile() {
        try {
            Path f = Files.createTempFile("donjon-policy-fuzz", ".toml");
            f.toFile().deleteOnExit();
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
