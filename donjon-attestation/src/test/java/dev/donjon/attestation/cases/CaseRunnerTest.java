package dev.donjon.attestation.cases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.donjon.attestation.Claims;
import dev.donjon.attestation.RejectReason;
import dev.donjon.attestation.TcbStatus;
import dev.donjon.attestation.Tee;
import dev.donjon.attestation.VerificationResult;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The comparison rules, with verifier results built directly. */
class CaseRunnerTest {

    private record FixedClaims(Tee tee, byte[] reportData, boolean debug, Map<String, String> fields)
            implements Claims {}

    private static Manifest.Case kase(Manifest.Expect expect) {
        return new Manifest.Case(
                "c1",
                "sgx",
                true,
                "src",
                "2025-01-01T00:00:00Z",
                new Manifest.Evidence("q", "raw", "intel-quote"),
                null,
                expect,
                "note");
    }

    private static VerificationResult.Accepted accepted(TcbStatus status, List<String> advisories) {
        return new VerificationResult.Accepted(
                Tee.SGX,
                new FixedClaims(
                        Tee.SGX, new byte[64], false, Map.of("version", "3", "mr_enclave", "ABCD", "tee", "sgx")),
                Optional.ofNullable(status),
                advisories);
    }

    @Test
    void sameResultDifferentReasonIsAWarningNotAFailure() {
        var outcome = CaseRunner.judge(
                kase(new Manifest.Expect("reject", null, null, "signature", null)),
                new VerificationResult.Rejected(Tee.SGX, RejectReason.BINDING, "QE report data mismatch"));
        assertTrue(outcome.passed());
        assertEquals(List.of("expected reason signature, got binding"), outcome.warnings());
        assertTrue(outcome.line().startsWith("PASS c1: reject/binding"), outcome.line());
    }

    @Test
    void acceptWhenRejectExpectedFails() {
        var outcome = CaseRunner.judge(
                kase(new Manifest.Expect("reject", null, null, "expired", null)),
                accepted(TcbStatus.UP_TO_DATE, List.of()));
        assertFalse(outcome.passed());
        assertTrue(outcome.line().startsWith("FAIL c1: accept UpToDate; expected reject/expired"), outcome.line());
    }

    @Test
    void advisoriesCompareAsSets() {
        var expect = new Manifest.Expect("accept", "OutOfDate", List.of("INTEL-SA-2", "INTEL-SA-1"), null, null);
        assertTrue(CaseRunner.judge(kase(expect), accepted(TcbStatus.OUT_OF_DATE, List.of("INTEL-SA-1", "INTEL-SA-2")))
                .passed());
        assertFalse(CaseRunner.judge(kase(expect), accepted(TcbStatus.OUT_OF_DATE, List.of("INTEL-SA-1")))
                .passed());
    }

    @Test
    void missingAdvisoriesAreNotAssertedButEmptyListMeansNone() {
        assertTrue(CaseRunner.judge(
                        kase(new Manifest.Expect("accept", null, null, null, null)),
                        accepted(null, List.of("INTEL-SA-1")))
                .passed());
        assertFalse(CaseRunner.judge(
                        kase(new Manifest.Expect("accept", null, List.of(), null, null)),
                        accepted(null, List.of("INTEL-SA-1")))
                .passed());
    }

    @Test
    void tcbStatusMismatchFails() {
        var outcome = CaseRunner.judge(
                kase(new Manifest.Expect("accept", "UpToDate", null, null, null)),
                accepted(TcbStatus.SW_HARDENING_NEEDED, List.of()));
        assertFalse(outcome.passed());
        assertEquals(List.of("expected TCB status UpToDate, got SWHardeningNeeded"), outcome.problems());
    }

    @Test
    void fieldsCompareCaseInsensitivelyAndNumbersAsText() {
        Map<String, JsonNode> good = Map.of("version", IntNode.valueOf(3), "mr_enclave", TextNode.valueOf("abcd"));
        assertTrue(
                CaseRunner.judge(kase(new Manifest.Expect("accept", null, null, null, good)), accepted(null, List.of()))
                        .passed());
        Map<String, JsonNode> bad = Map.of("mr_enclave", TextNode.valueOf("abce"), "fmspc", TextNode.valueOf("00"));
        var outcome =
                CaseRunner.judge(kase(new Manifest.Expect("accept", null, null, null, bad)), accepted(null, List.of()));
        assertFalse(outcome.passed());
        assertEquals(2, outcome.problems().size(), outcome.problems().toString());
    }

    @Test
    void summaryCountsPassedAndFailed() {
        var pass = CaseRunner.judge(
                kase(new Manifest.Expect("accept", null, null, null, null)), accepted(null, List.of()));
        var fail = CaseRunner.judge(
                kase(new Manifest.Expect("reject", null, null, null, null)), accepted(null, List.of()));
        assertEquals(
                "1 passed, 1 failed",
                CaseRunner.summary(List.of(pass, fail, pass).subList(1, 3)));
    }
}
