package dev.donjon.attestation.snp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.donjon.abi.FormatException;
import dev.donjon.abi.snp.AttestationReport;
import dev.donjon.abi.snp.CertificateTable;
import dev.donjon.abi.snp.SigningKey;
import dev.donjon.attestation.MalformedEvidenceException;
import dev.donjon.common.OneLine;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * A Linux configfs-tsm report as JSON: {@code outblob} (the SNP report) and {@code auxblob} (the GHCB extended
 * report certificate table, read by donjon-abi's {@link CertificateTable}).
 */
final class TsmReport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TsmReport() {}

    static SnpEvidence read(byte[] json) throws MalformedEvidenceException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException | RuntimeException e) {
            throw new MalformedEvidenceException("configfs-tsm JSON does not parse: " + OneLine.of(e));
        }
        if (root == null || !root.isObject())
            throw new MalformedEvidenceException("configfs-tsm JSON is not an object");
        JsonNode provider = root.get("provider");
        if (provider != null
                && provider.isTextual()
                && !provider.asText().strip().equals("sev_guest")) {
            throw new MalformedEvidenceException(
                    "configfs-tsm provider is '" + provider.asText().strip() + "', not sev_guest");
        }
        AttestationReport report = SnpEvidence.report(blob(root, "outblob"));
        if (!root.hasNonNull("auxblob")) return SnpEvidence.bare(report);
        CertificateTable table;
        try {
            table = CertificateTable.parse(blob(root, "auxblob"));
        } catch (FormatException e) {
            throw new MalformedEvidenceException(e);
        }
        Optional<X509CertificateHolder> vcek = Optional.empty();
        Optional<X509CertificateHolder> vlek = Optional.empty();
        List<X509CertificateHolder> cas = new ArrayList<>();
        for (CertificateTable.Entry e : table.entries()) {
            UUID id = e.guid();
            if (id.equals(CertificateTable.VCEK))
                vcek = Optional.of(CertificateFiles.firstCertificate(e.body(), "auxblob VCEK"));
            else if (id.equals(CertificateTable.VLEK))
                vlek = Optional.of(CertificateFiles.firstCertificate(e.body(), "auxblob VLEK"));
            else if (id.equals(CertificateTable.ARK) || id.equals(CertificateTable.ASK)) {
                cas.add(CertificateFiles.firstCertificate(
                        e.body(), "auxblob " + (id.equals(CertificateTable.ARK) ? "ARK" : "ASK")));
            }
            // other GUIDs (e.g. hypervisor-defined blobs) are not endorsements: ignored
        }
        Optional<X509CertificateHolder> leaf = report.signingKey() == SigningKey.VLEK ? vlek : vcek;
        return new SnpEvidence(report, leaf, cas, List.of(), Optional.empty());
    }

    private static byte[] blob(JsonNode root, String name) throws MalformedEvidenceException {
        JsonNode n = root.get(name);
        if (n == null || !n.isTextual())
            throw new MalformedEvidenceException("configfs-tsm JSON has no " + name + " string");
        String text = n.asText().replaceAll("\\s", "").replace('+', '-').replace('/', '_');
        try {
            return Base64.getUrlDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new MalformedEvidenceException("configfs-tsm " + name + " is not base64url: " + OneLine.of(e));
        }
    }
}
