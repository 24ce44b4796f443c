package dev.donjon.attestation.intel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.donjon.attestation.MalformedEvidenceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Open Enclave's TCB Info / QE Identity parser vectors (../shared/vectors/collateral-parser-cases.json): parse and
 * schema-validate only (their signatures are not valid); positives parse, every negative is a malformed error.
 */
class CollateralParserCasesTest {
    private static final Path VECTORS = IntelVectorCasesTest.shared().resolve("vectors");

    private record ParserCase(String id, String file, String collateral, int formatVersion, boolean accept) {}

    private static List<ParserCase> cases() throws Exception {
        JsonNode root = new ObjectMapper()
                .readTree(VECTORS.resolve("collateral-parser-cases.json").toFile());
        List<ParserCase> out = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            out.add(new ParserCase(
                    c.get("id").asText(),
                    c.get("file").asText(),
                    c.get("collateral").asText(),
                    c.get("format_version").asInt(),
                    c.get("expect").asText().equals("accept")));
        }
        return out;
    }

    /** What the verifier does with a collateral file before any signature check. */
    static Object parse(byte[] bytes, String kind) throws MalformedEvidenceException {
        if (kind.equals("tcb_info"))
            return TcbInfo.parse(
                    StrictJson.signedDocument(bytes, "TCB Info", "tcbInfo").node());
        return QeIdentity.parse(StrictJson.signedDocument(bytes, "QE Identity", "enclaveIdentity", "qeIdentity")
                .node());
    }

    @Test
    void allCasesAreHere() throws Exception {
        List<ParserCase> cases = cases();
        assertTrue(cases.size() >= 70, "only " + cases.size() + " parser cases found");
        assertTrue(cases.stream().anyMatch(ParserCase::accept));
    }

    @TestFactory
    Stream<DynamicTest> eachCase() throws Exception {
        return cases().stream()
                .map(c -> DynamicTest.dynamicTest(c.id(), () -> {
                    byte[] bytes = Files.readAllBytes(VECTORS.resolve(c.file()));
                    if (c.accept()) {
                        Object parsed = parse(bytes, c.collateral());
                        if (parsed instanceof TcbInfo t) assertEquals(c.formatVersion(), t.version());
                        else if (parsed instanceof QeIdentity q) assertEquals(c.formatVersion(), q.version());
                        else fail("unexpected " + parsed);
                    } else {
                        MalformedEvidenceException e =
                                assertThrows(MalformedEvidenceException.class, () -> parse(bytes, c.collateral()));
                        assertTrue(
                                !e.getMessage().isBlank() && !e.getMessage().contains("\n"),
                                "one-line message: " + e.getMessage());
                    }
                }));
    }

    @Test
    void advisoryIdsOfALevelAreRead() throws Exception {
        TcbInfo t = (TcbInfo) parse(
                Files.readAllBytes(
                        VECTORS.resolve("sgx/openenclave-collateral-parser/report/data_v2/tcbInfoAdvisoryIds.json")),
                "tcb_info");
        assertTrue(t.levels().stream().anyMatch(l -> l.advisoryIds().size() == 2), "a level with two advisory IDs");
    }

    @Test
    void tdxV3CarriesTdxComponents() throws Exception {
        TcbInfo t = (TcbInfo) parse(
                Files.readAllBytes(
                        VECTORS.resolve("sgx/openenclave-collateral-parser/report/data_v3/tcbinfo_tdx.json")),
                "tcb_info");
        assertEquals("TDX", t.id());
        assertTrue(t.levels().stream().allMatch(l -> l.tdxComponents().isPresent()));
    }
}
