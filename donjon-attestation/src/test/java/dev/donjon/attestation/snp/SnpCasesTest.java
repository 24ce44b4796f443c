package dev.donjon.attestation.snp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.donjon.attestation.Container;
import dev.donjon.attestation.EvidenceInput;
import dev.donjon.attestation.RejectReason;
import dev.donjon.attestation.VerificationResult;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The 17 SNP cases of ../shared/vectors/cases.json, one test each, with the manifest's expectations. */
class SnpCasesTest {

    private static final String GSG_REPORT = "snp/go-sev-guest/attestation.bin";
    private static final String GSG_VCEK = "snp/go-sev-guest/vcek.testcer";
    private static final String MILAN = "amd/milan/ask_ark.pem";
    private static final String TRUSTEE_CHAIN = "snp/trustee/milan_ask_ark_asvk.pem";
    private static final String VIRTEE_CHAIN = "snp/virtee/cert_chain_milan";
    private static final String CSR = "enarx/steward/milan.signed.crl.csr";

    private static final Map<String, String> GSG_FIELDS = Map.of(
            "version", "2",
            "measurement",
                    "b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01",
            "report_data", "0102030405" + "0".repeat(118),
            "chip_id",
                    "3ac3fe21e13fb0990eb28a802e3fb6a29483a6b0753590c951bdd3b8e53786184ca39e359669a2b76a1936776b564ea464cdce40c05f63c9b610c5068b006b5d",
            "tee", "snp");

    private final SnpVerifier verifier = new SnpVerifier();

    private static Instant at(String t) {
        return Instant.parse(t);
    }

    private void accepts(EvidenceInput in, String now, Map<String, String> fields) {
        VerificationResult r = verifier.verify(in, at(now));
        VerificationResult.Accepted a = assertInstanceOf(VerificationResult.Accepted.class, r, () -> "rejected: " + r);
        fields.forEach((k, v) -> assertEquals(v, a.claims().fields().get(k), k));
    }

    private void rejects(EvidenceInput in, String now, RejectReason reason) {
        VerificationResult r = verifier.verify(in, at(now));
        VerificationResult.Rejected rej =
                assertInstanceOf(VerificationResult.Rejected.class, r, () -> "accepted: " + r);
        assertEquals(reason, rej.reason(), rej.detail());
    }

    @Test
    void gsgMilanVcek() {
        accepts(Vectors.report(GSG_REPORT, GSG_VCEK, MILAN), "2024-06-01T00:00:00Z", GSG_FIELDS);
    }

    @Test
    void gsgMilanVcekFlip80() {
        rejects(
                Vectors.report("snp/go-sev-guest/attestation-flip80.bin", GSG_VCEK, MILAN),
                "2024-06-01T00:00:00Z",
                RejectReason.SIGNATURE);
    }

    @Test
    void gsgMilanVcekExpired() {
        rejects(Vectors.report(GSG_REPORT, GSG_VCEK, MILAN), "2029-10-01T00:00:00Z", RejectReason.EXPIRED);
    }

    @Test
    void gsgMilanTsmJson() {
        EvidenceInput in = Vectors.input(
                Container.TSM_JSON,
                Vectors.read("snp/go-sev-guest/attestation.tsm.json"),
                Optional.empty(),
                Optional.empty(),
                MILAN);
        accepts(in, "2024-06-01T00:00:00Z", GSG_FIELDS);
    }

    @Test
    void trusteeMilanVcek() {
        accepts(
                Vectors.report("snp/trustee/test-report.bin", "snp/trustee/test-vcek.der", TRUSTEE_CHAIN),
                "2024-06-01T00:00:00Z",
                Map.of(
                        "version", "2",
                        "measurement",
                                "a1f3930413247bb38cfc171579ea3c12d5fe4901f0c792f63fd75d98f1ef827c23500644e0e692e6be917f9050d3d38c",
                        "report_data",
                                "ec6c52d7533cc2c4f45be7849cf112ab82b2009fe7bd43e71ed08c14400ad7e2" + "0".repeat(64),
                        "chip_id",
                                "c38427a30d4c7af9d96f7a15b97269825a64cb76a2352ffd5d18115d89ad473f8e8c0bcd9a5d9286612bad4aadfb4426205a3b9e4fea82301135a170e477524e",
                        "tee", "snp"));
    }

    @Test
    void trusteeMilanVcekFlip42() {
        rejects(
                Vectors.report("snp/trustee/test-report-flip42.bin", "snp/trustee/test-vcek.der", TRUSTEE_CHAIN),
                "2024-06-01T00:00:00Z",
                RejectReason.SIGNATURE);
    }

    @Test
    void trusteeMilanVlek() {
        accepts(
                Vectors.vlekReport("snp/trustee/test-vlek-report.bin", "snp/trustee/test-vlek.der", TRUSTEE_CHAIN),
                "2025-06-01T00:00:00Z",
                Map.of(
                        "version", "3",
                        "measurement",
                                "8922ebbdd00ec2c541f36a6e7a82a8773a7accb451ed67bc94e740dbe92c93c4e8c9af857f5ceeb5a493df2a570d7bf0",
                        "report_data",
                                "819770b7e6ea6df8dd8fd4dd146b073c0bf4f3ce5b0977ecac486e3a05ed1bd54e2a7ac1f5d1ca02e7d7d5ef9f73b8574fd9359e3a480d741a4478e8a7bc27ca",
                        "chip_id", "0".repeat(128),
                        "tee", "snp",
                        "signing_key", "vlek",
                        "product", "Milan"));
    }

    @Test
    void trusteeMilanVlekFlip42() {
        rejects(
                Vectors.vlekReport(
                        "snp/trustee/test-vlek-report-flip42.bin", "snp/trustee/test-vlek.der", TRUSTEE_CHAIN),
                "2025-06-01T00:00:00Z",
                RejectReason.SIGNATURE);
    }

    @Test
    void trusteeMilanVlekExpired() {
        rejects(
                Vectors.vlekReport("snp/trustee/test-vlek-report.bin", "snp/trustee/test-vlek.der", TRUSTEE_CHAIN),
                "2025-12-15T00:00:00Z",
                RejectReason.EXPIRED);
    }

    @Test
    void trusteeMilanVlekWrongRoot() {
        rejects(
                Vectors.vlekReport("snp/trustee/test-vlek-report.bin", "snp/trustee/test-vlek.der", MILAN),
                "2025-06-01T00:00:00Z",
                RejectReason.CHAIN);
    }

    @Test
    void trusteeVcekInvalidLegacy() {
        rejects(
                Vectors.report(
                        "snp/trustee/test-report.bin", "snp/trustee/test-vcek-invalid-legacy.der", TRUSTEE_CHAIN),
                "2024-06-01T00:00:00Z",
                RejectReason.CHAIN);
    }

    @Test
    void trusteeVcekInvalidNew() {
        rejects(
                Vectors.report("snp/trustee/test-report.bin", "snp/trustee/test-vcek-invalid-new.der", TRUSTEE_CHAIN),
                "2024-06-01T00:00:00Z",
                RejectReason.CHAIN);
    }

    @Test
    void virteeMilan() {
        EvidenceInput in = Vectors.input(
                Container.SNP_REPORT,
                Vectors.hexFile("snp/virtee/report_milan.hex"),
                Optional.of("snp/virtee/vcek_milan.der"),
                Optional.empty(),
                VIRTEE_CHAIN);
        accepts(
                in,
                "2024-06-01T00:00:00Z",
                Map.of(
                        "version", "2",
                        "measurement",
                                "7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f",
                        "report_data",
                                "d447b55d197491bfe15cf298f9de9986b7a7c4be2468b4f6e2d53b71d7c645810b0f2cdfca0040433be063fc1a8293f0f3f8dae7b79fecb3d1cd82bd6a93ebfd",
                        "chip_id",
                                "d49554ec717f4e5b0fe6b143bcf0405bd7ae304727edf46603f2a76aef6a3abc15d7af38db757039029f0efacfd08e244324884738c72b082e2f87a44d541eb6",
                        "tee", "snp"));
    }

    @Test
    void virteeMilanFlip21() {
        EvidenceInput in = Vectors.input(
                Container.SNP_REPORT,
                Vectors.hexFile("snp/virtee/report_milan-flip21.hex"),
                Optional.of("snp/virtee/vcek_milan.der"),
                Optional.empty(),
                VIRTEE_CHAIN);
        rejects(in, "2024-06-01T00:00:00Z", RejectReason.SIGNATURE);
    }

    @Test
    void stewardMilanCsr() {
        EvidenceInput in =
                Vectors.input(Container.ENARX_CSR, Vectors.read(CSR), Optional.empty(), Optional.empty(), MILAN);
        accepts(
                in,
                "2023-01-15T00:00:00Z",
                Map.of(
                        "version", "2",
                        "measurement",
                                "ff717ae719840c93c1fca3b7db96488454c3c21b43531488eecff51cfed3febcd91da8be87a4cbcbc52a3bae770987c3",
                        "report_data",
                                "e74229bb545adffc0288a21350353014c874ef4ab1120c53e5dafc9971996326e091ec36abbb534ae1d0728fa114e7c6"
                                        + "0".repeat(32),
                        "chip_id",
                                "5cb260b9c24d8a9cbf1aab853d0eabae34dca787d876ae97f8d7a0e707d180ce07d4fdb2da7d6814b2f75b242a299dfd8181c157718c4b53a9ade79e82d24cbd",
                        "tee", "snp"));
    }

    @Test
    void stewardMilanCsrFlip3554() {
        EvidenceInput in = Vectors.input(
                Container.ENARX_CSR,
                Vectors.read("enarx/steward/milan.signed.crl-flip3554.csr"),
                Optional.empty(),
                Optional.empty(),
                MILAN);
        rejects(in, "2023-01-15T00:00:00Z", RejectReason.SIGNATURE);
    }

    @Test
    void stewardMilanCsrCrlStale() {
        EvidenceInput in =
                Vectors.input(Container.ENARX_CSR, Vectors.read(CSR), Optional.empty(), Optional.empty(), MILAN);
        rejects(in, "2023-06-01T00:00:00Z", RejectReason.EXPIRED);
    }
}
