package dev.donjon.attestation.intel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.attestation.Verifiers;
import dev.donjon.attestation.cases.CaseOutcome;
import dev.donjon.attestation.cases.CaseRunner;
import dev.donjon.attestation.cases.Manifest;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The SGX and TDX cases of ../shared/vectors/cases.json through the shared runner, held to a stricter bar than the
 * runner's: the reject reason must be exactly the expected one (the runner only warns on a different reason).
 */
class IntelVectorCasesTest {

    static Path shared() {
        return Path.of(System.getProperty("donjon.shared", "../../shared"));
    }

    private static Manifest manifest() throws Exception {
        return Manifest.read(shared().resolve("vectors/cases.json"));
    }

    @Test
    void corpusHasTheIntelCases() throws Exception {
        Manifest m = manifest();
        assertEquals(10, m.cases().stream().filter(c -> c.tee().equals("sgx")).count());
        assertEquals(11, m.cases().stream().filter(c -> c.tee().equals("tdx")).count());
    }

    @TestFactory
    Stream<DynamicTest> everyIntelCaseWithItsExactReason() throws Exception {
        Manifest m = manifest();
        CaseRunner runner = new CaseRunner(Verifiers.load());
        return m.cases().stream()
                .filter(c -> !c.tee().equals("snp"))
                .map(c -> DynamicTest.dynamicTest(c.id(), () -> {
                    CaseOutcome o = runner.run(m, c);
                    assertTrue(o.passed(), o.line());
                    assertTrue(o.warnings().isEmpty(), o.line());
                }));
    }
}
