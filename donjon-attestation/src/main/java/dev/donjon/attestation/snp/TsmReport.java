package dev.donjon.attestation.snp;

import dev.donjon.abi.snp.AttestationReport;
import dev.donjon.abi.snp.SigningKey;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.donjon.attestation.MalformedEvidenceException;
import org.bouncycastle.cert.X509CertificateHolder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A Linux configfs-tsm report as JSON: {@code outblob} (the SNP report) and {@code auxblob} (the GHCB extended
 * report certificate table: entries {GUID[16], offset u32 LE, length u32 LE} ending with an all-zero entry,
 * offsets counted from the start of the table).
 */
final class TsmReport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ENTRY = 24;
    private static final UUID ARK = UUID.fromString("c0b406a4-a803-4952-9743-3fb6014cd0ae");
    private static final UUID ASK = UUID.fromString("4ab7b379-bbac-4fe4-a02f-05aef327c782");
    private static final UUID VCEK = UUID.fromString("63da758d-e664-4564-adc5-f4b93be8accd");
    private static final UUID VLEK = UUID.fromString("a8074bc2-a25a-483e-aae6-39c045a0b8a1");

    private TsmReport() {}

    static SnpEvidence read(byte[] json) throws MalformedEvidenceException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException | RuntimeException e) {
            throw new MalformedEvidenceException("configfs-tsm JSON does not parse: " + CertificateFiles.oneLine(e));
        }
        if (root == null || !root.isObject()) throw new MalformedEvidenceException("configfs-tsm JSON is not an object");
        JsonNode provider = root.get("provider");
        if (provider != null && provider.isTextual() && !provider.asText().strip().equals("sev_guest")) {
            throw new MalformedEvidenceException("configfs-tsm provider is '" + provider.asText().strip() + "', not sev_guest");
        }
        AttestationReport report = SnpEvidence.report(blob(root, "outblob"));
        if (!root.hasNonNull("auxblob")) return SnpEvidence.bare(report);
        byte[] table = blob(root, "auxblob");
        Optional<X509CertificateHolder> vcek = Optional.empty();
        Optional<X509CertificateHolder> vlek = Optional.empty();
        List<X509CertificateHolder> cas = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(table).order(ByteOrder.LITTLE_ENDIAN);
        for (int at = 0; ; at += ENTRY) {
            if (at + ENTRY > table.length) throw new MalformedEvidenceException("auxblob certificate table has no terminating entry");
            byte[] guid = Arrays.copyOfRange(table, at, at + 16);
            long offset = Integer.toUnsignedLong(b.getInt(at + 16));
            long length = Integer.toUnsignedLong(b.getInt(at + 20));
            if (isZero(guid)) break;
            if (offset + length > table.length || length == 0) {
                throw new MalformedEvidenceException("auxblob entry " + (at / ENTRY) + " points outside the table");
            }
            byte[] body = Arrays.copyOfRange(table, (int) offset, (int) (offset + length));
            UUID id = guidOf(guid);
            if (id.equals(VCEK)) vcek = Optional.of(CertificateFiles.firstCertificate(body, "auxblob VCEK"));
            else if (id.equals(VLEK)) vlek = Optional.of(CertificateFiles.firstCertificate(body, "auxblob VLEK"));
            else if (id.equals(ARK) || id.equals(ASK)) cas.add(CertificateFiles.firstCertificate(body, "auxblob " + (id.equals(ARK) ? "ARK" : "ASK")));
            // other GUIDs (e.g. hypervisor-defined blobs) are not endorsements: ignored
        }
        Optional<X509CertificateHolder> leaf = report.signingKey() == SigningKey.VLEK ? vlek : vcek;
        return new SnpEvidence(report, leaf, cas, List.of(), Optional.empty());
    }

    private static byte[] blob(JsonNode root, String name) throws MalformedEvidenceException {
        JsonNode n = root.get(name);
        if (n == null || !n.isTextual()) throw new MalformedEvidenceException("configfs-tsm JSON has no " + name + " string");
        String text = n.asText().replaceAll("\\s", "").replace('+', '-').replace('/', '_');
        try {
            return Base64.getUrlDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new MalformedEvidenceException("configfs-tsm " + name + " is not base64url: " + CertificateFiles.oneLine(e));
        }
    }

    /** GUIDs are stored in RFC 4122 byte order here; the mixed-endian (Microsoft) form is accepted too. */
    private static UUID guidOf(byte[] g) {
        UUID rfc = uuid(g);
        if (rfc.equals(ARK) || rfc.equals(ASK) || rfc.equals(VCEK) || rfc.equals(VLEK)) return rfc;
        byte[] swapped = g.clone();
        swap(swapped, 0, 3); swap(swapped, 1, 2); swap(swapped, 4, 5); swap(swapped, 6, 7);
        return uuid(swapped);
    }

    private static UUID uuid(byte[] g) {
        ByteBuffer b = ByteBuffer.wrap(g);
        return new UUID(b.getLong(), b.getLong());
    }

    private static void swap(byte[] a, int i, int j) { byte t = a[i]; a[i] = a[j]; a[j] = t; }

    private static boolean isZero(byte[] a) {
        for (byte x : a) if (x != 0) return false;
        return true;
    }
}
