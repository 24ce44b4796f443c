package dev.donjon.attestation.cases;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A test-vector manifest in the schema of ../shared/vectors/README.md ("schema": 1).
 * Paths inside it are relative to {@link #baseDir()}, the directory that holds the manifest.
 */
public record Manifest(Path baseDir, List<Case> cases) {

    public record Case(
            String id,
            String tee,
            Boolean real,
            String source,
            String now,
            Evidence evidence,
            EndorsementPaths endorsements,
            Expect expect,
            String note) {}

    public record Evidence(String file, String encoding, String container) {}

    public record EndorsementPaths(
            String vcek, String vlek, String amdChain, List<String> crls, Collateral collateral, String rootCa) {}

    /** Either {format: dcap-qvl-json, file} or {format: files, tcb_info, ...}. */
    public record Collateral(
            String format,
            String file,
            String tcbInfo,
            String tcbInfoIssuerChain,
            String qeIdentity,
            String qeIdentityIssuerChain,
            String pckCrl,
            String pckCrlIssuerChain,
            String rootCaCrl) {}

    /** {@code advisories} is null when the manifest does not assert them; {@code fields} values are hex text or numbers. */
    public record Expect(
            String result, String tcbStatus, List<String> advisories, String reason, Map<String, JsonNode> fields) {}

    private record Document(Integer schema, List<Case> cases) {}

    private static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            // "kind", "note" and future keys are information for people, not inputs
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** Reads and checks a manifest file; the message of any failure names the file and the problem. */
    public static Manifest read(Path file) throws IOException {
        Document doc;
        try {
            doc = JSON.readValue(Files.readAllBytes(file), Document.class);
        } catch (IOException e) {
            throw new IOException("cannot read manifest " + file + ": " + firstLine(e.getMessage()), e);
        }
        if (doc == null || doc.schema() == null || doc.schema() != 1) {
            throw new IOException("manifest " + file + ": expected \"schema\": 1");
        }
        if (doc.cases() == null || doc.cases().isEmpty()) throw new IOException("manifest " + file + " has no cases");
        for (Case c : doc.cases()) {
            if (c.id() == null
                    || c.tee() == null
                    || c.now() == null
                    || c.evidence() == null
                    || c.evidence().file() == null
                    || c.expect() == null
                    || c.expect().result() == null) {
                throw new IOException("manifest " + file + ": case " + c.id()
                        + " lacks id, tee, now, evidence.file or expect.result");
            }
        }
        Path dir = file.toAbsolutePath().getParent();
        return new Manifest(dir, List.copyOf(doc.cases()));
    }

    static String firstLine(String message) {
        if (message == null) return "unreadable";
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
