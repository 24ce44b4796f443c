package dev.donjon.attestation.snp;

import static dev.donjon.attestation.Refusals.allowRefusal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.donjon.attestation.Container;
import dev.donjon.attestation.Endorsements;
import dev.donjon.attestation.EvidenceInput;
import dev.donjon.attestation.MalformedEvidenceException;
import dev.donjon.attestation.Tee;
import dev.donjon.attestation.VerificationException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Jazzer fuzz targets for the SEV-SNP parsers and the whole SNP verification behind them. The only exceptions allowed
 * out are the designed ones ({@link MalformedEvidenceException} from parsers, {@link VerificationException} from
 * verification); anything else (a RuntimeException, StackOverflowError, OutOfMemoryError, a hang) is a finding.
 * {@code ./mvnw verify} replays the seeds (real vectors) only; {@code donjon-attestation/fuzz.sh} fuzzes (FUZZING.md).
 */
class SnpFuzzTest {

    private static final Instant NOW = Instant.parse("2024-06-01T00:00:00Z");
    private static final Instant CSR_NOW = Instant.parse("2023-01-15T00:00:00Z");
    private static final SnpVerifier VERIFIER = new SnpVerifier();
    // read once: the fuzz loop runs these targets thousands of times a second
    private static final byte[] VCEK = Vectors.read("snp/go-sev-guest/vcek.testcer");
    private static final byte[] MILAN_CHAIN = Vectors.read("amd/milan/ask_ark.pem");
    private static final byte[] REPORT = Vectors.read("snp/go-sev-guest/attestation.bin");

    static Stream<Arguments> reports() {
        return seeds(
                Vectors.read("snp/go-sev-guest/attestation.bin"),
                Vectors.read("snp/trustee/test-report.bin"),
                Vectors.read("snp/trustee/test-vlek-report.bin"),
                Vectors.hexFile("snp/virtee/report_milan.hex"));
    }

    static Stream<Arguments> tsmJson() {
        return seeds(Vectors.read("snp/go-sev-guest/attestation.tsm.json"));
    }

    static Stream<Arguments> csrs() {
        return seeds(Vectors.read("enarx/steward/milan.signed.crl.csr"));
    }

    static Stream<Arguments> certificates() {
        return seeds(
                Vectors.read("snp/go-sev-guest/vcek.testcer"),
                Vectors.read("snp/trustee/test-vlek.der"),
                Vectors.read("snp/trustee/test-vcek-invalid-legacy.der"),
                Vectors.read("amd/milan/ask_ark.pem"),
                Vectors.read("snp/virtee/cert_chain_milan"));
    }

    private static Stream<Arguments> seeds(byte[]... inputs) {
        return Stream.of(inputs).map(b -> Arguments.of((Object) b));
    }

    /** Raw report bytes through the parser, then through the full verification with go-sev-guest's VCEK and Milan's chain. */
    @MethodSource("reports")
    @FuzzTest
    void snpReport(byte[] data) {
        allowRefusal(() -> SnpEvidence.report(data));
        verify(Container.SNP_REPORT, data, NOW);
    }

    /** configfs-tsm JSON: outblob + auxblob certificate table. */
    @MethodSource("tsmJson")
    @FuzzTest
    void configfsTsmJson(byte[] data) {
        allowRefusal(() -> TsmReport.read(data));
        verify(Container.TSM_JSON, data, NOW);
    }

    /** Enarx keep CSRs (extension 1.3.6.1.4.1.58270.1.3: VCEK, CRLs, report). */
    @MethodSource("csrs")
    @FuzzTest
    void enarxSnpCsr(byte[] data) {
        allowRefusal(() -> EnarxSnpCsr.read(data));
        verify(Container.ENARX_CSR, data, CSR_NOW);
    }

    /** VCEK/VLEK/ASK/ARK certificates and CRLs as supplied beside the evidence (DER or PEM), and the KDS extensions. */
    @MethodSource("certificates")
    @FuzzTest
    void amdCertificatesAndCrls(byte[] data) {
        allowRefusal(() -> {
            for (X509CertificateHolder c : CertificateFiles.certificates(data, "fuzz"))
                AmdChainValidator.kdsExtensions(c);
        });
        allowRefusal(() -> CertificateFiles.crls(data, "fuzz"));
        // the same bytes as the VCEK, as the ASK/ARK bundle and as a CRL of a real report's verification
        check(
                new EvidenceInput(Tee.SNP, Container.SNP_REPORT, REPORT, endorsements(data, MILAN_CHAIN, List.of())),
                NOW);
        check(new EvidenceInput(Tee.SNP, Container.SNP_REPORT, REPORT, endorsements(VCEK, data, List.of())), NOW);
        check(
                new EvidenceInput(
                        Tee.SNP, Container.SNP_REPORT, REPORT, endorsements(VCEK, MILAN_CHAIN, List.of(data))),
                NOW);
    }

    private static Endorsements endorsements(byte[] vcek, byte[] chain, List<byte[]> crls) {
        return new Endorsements(
                Optional.of(vcek), Optional.empty(), Optional.of(chain), crls, Optional.empty(), Optional.empty());
    }

    private static void verify(Container container, byte[] data, Instant now) {
        check(new EvidenceInput(Tee.SNP, container, data, endorsements(VCEK, MILAN_CHAIN, List.of())), now);
    }

    private static void check(EvidenceInput input, Instant now) {
        allowRefusal(() -> VERIFIER.check(
                input, now)); // check, not verify: verify would turn an unexpected exception into a rejection
    }
}
