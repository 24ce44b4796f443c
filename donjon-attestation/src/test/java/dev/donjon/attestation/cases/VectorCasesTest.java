package dev.donjon.attestation.cases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.attestation.Verifiers;
import dev.donjon.attestation.crypto.SignatureProvidersTest;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The shared corpus: every case of ../shared/vectors/cases.json, through the runner API. */
class VectorCasesTest {

    static Path shared() {
        return Path.of(System.getProperty("donjon.shared", "../../shared"));
    }

    static Manifest cases() throws Exception {
        return Manifest.read(shared().resolve("vectors/cases.json"));
    }

    @Test
    void manifestParses() throws Exception {
        Manifest m = cases();
        assertEquals(38, m.cases().size());
        assertEquals(17, m.cases().stream().filter(c -> c.tee().equals("snp")).count());
    }

    /** One test per case, so a report names the case that broke. */
    @TestFactory
    Stream<DynamicTest> eachCase() throws Exception {
        Manifest m = cases();
        Verifiers verifiers = Verifiers.load();
        CaseRunner runner = new CaseRunner(verifiers);
        return m.cases().stream()
                .map(c -> DynamicTest.dynamicTest(c.id(), () -> {
                    CaseOutcome outcome = runner.run(m, c);
                    assertTrue(outcome.passed(), outcome.line());
                }));
    }

    /** The same corpus with AWS-LC checking the ECDSA signatures, as a Steward does. */
    @Test
    void wholeManifestPassesWithTheNativeEngine() throws Exception {
        SignatureProvidersTest.withNativeEngine(() -> {
            List<CaseOutcome> outcomes = new CaseRunner(Verifiers.load()).run(cases());
            String report = outcomes.stream().map(CaseOutcome::line).collect(Collectors.joining("\n"));
            assertEquals("38 passed, 0 failed", CaseRunner.summary(outcomes), report);
        });
    }

    @Test
    void wholeManifestPasses() throws Exception {
        Verifiers verifiers = Verifiers.load();
        List<CaseOutcome> outcomes = new CaseRunner(verifiers).run(cases());
        String report = outcomes.stream().map(CaseOutcome::line).collect(Collectors.joining("\n"));
        assertEquals("38 passed, 0 failed", CaseRunner.summary(outcomes), report);
    }
}
