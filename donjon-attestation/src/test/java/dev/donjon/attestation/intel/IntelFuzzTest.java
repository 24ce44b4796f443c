package dev.donjon.attestation.intel;

import static dev.donjon.attestation.Refusals.allowRefusal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.donjon.abi.intel.IntelQuote;
import dev.donjon.attestation.Container;
import dev.donjon.attestation.Endorsements;
import dev.donjon.attestation.EvidenceInput;
import dev.donjon.attestation.IntelCollateral;
import dev.donjon.attestation.MalformedEvidenceException;
import dev.donjon.attestation.Tee;
import dev.donjon.attestation.VerificationException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Jazzer fuzz targets for the SGX/TDX parsers (quotes, Enarx SGX CSRs, TCB Info, QE Identity, dcap-qvl collateral,
 * certificates and CRLs) and the whole DCAP verification behind them. Only {@link MalformedEvidenceException} (parsers)
 * and {@link VerificationException} (verification) may leave; anything else is a finding.
 * {@code ./mvnw verify} replays the seeds (real vectors) only; {@code donjon-attestation/fuzz.sh} fuzzes (FUZZING.md).
 */
class IntelFuzzTest {

    private static final IntelQuoteVerifier VERIFIER = new IntelQuoteVerifier();
    private static final byte[] ROOT = IntelRobustnessTest.read("intel/Intel_SGX_Root_CA.der");
    private static final byte[] SGX_COLLATERAL = IntelRobustnessTest.read("sgx/dcap-qvl/sgx_quote_collateral.json");
    private static final byte[] TDX_COLLATERAL = IntelRobustnessTest.read("tdx/dcap-qvl/tdx_quote_collateral.json");
    private static final byte[] SGX_QUOTE = IntelRobustnessTest.read("sgx/dcap-qvl/sgx_quote");
    private static final Instant SGX_NOW = Instant.parse("2025-07-19T10:01:17Z");
    private static final Instant TDX_NOW = Instant.parse("2025-07-19T10:00:34Z");

    static Stream<Arguments> quotes() {
        return seeds(
                "sgx/dcap-qvl/sgx_quote",
                "tdx/dcap-qvl/tdx_quote",
                "tdx/dcap-qvl/tdx_quote_outdated",
                "tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat",
                "synthetic/intel-qvl-sampleData/quote.dat",
                "synthetic/intel-qvl-sampleData/tdx/quote.dat");
    }

    static Stream<Arguments> csrs() {
        return seeds("enarx/steward/icelake.signed.tcb.crl.single.i5.csr");
    }

    static Stream<Arguments> tcbInfos() {
        return seeds(
                "tdx/go-tdx-guest/sample_tcbInfo_response",
                "synthetic/intel-qvl-sampleData/tcbInfo.json",
                "synthetic/intel-qvl-sampleData/tdx/tcbInfo.json",
                "sgx/openenclave-collateral-parser/report/data_v2/tcbInfo.json");
    }

    static Stream<Arguments> qeIdentities() {
        return seeds(
                "tdx/go-tdx-guest/sample_qeIdentity_response",
                "synthetic/intel-qvl-sampleData/qeIdentity.json",
                "synthetic/intel-qvl-sampleData/tdx/qeIdentity.json",
                "sgx/openenclave-collateral-parser/qeidentity/data/qe_identity_ok.json");
    }

    static Stream<Arguments> collaterals() {
        return seeds("sgx/dcap-qvl/sgx_quote_collateral.json", "tdx/dcap-qvl/tdx_quote_collateral.json");
    }

    static Stream<Arguments> certificates() {
        return seeds(
                "intel/Intel_SGX_Root_CA.der",
                "tdx/go-tdx-guest/tcbInfoIssuerChain.pem",
                "tdx/go-tdx-guest/pckcrl",
                "tdx/go-tdx-guest/rootcrl.der",
                "synthetic/intel-qvl-sampleData/pckCert.pem",
                "synthetic/intel-qvl-sampleData/rootCaCrl.pem");
    }

    private static Stream<Arguments> seeds(String... files) {
        return Stream.of(files).map(f -> Arguments.of((Object) IntelRobustnessTest.read(f)));
    }

    /** Quote bytes through the parser and the full verification (with its real collateral, chosen by the TEE type byte). */
    @MethodSource("quotes")
    @FuzzTest
    void intelQuote(byte[] data) {
        allowRefusal(() -> IntelQuoteVerifier.quote(data));
        boolean tdx = data.length > 4 && (data[4] & 0xFF) == IntelQuote.TEE_TYPE_TDX;
        Tee tee = tdx ? Tee.TDX : Tee.SGX;
        verify(
                tee,
                Container.INTEL_QUOTE,
                data,
                collateral(tdx ? TDX_COLLATERAL : SGX_COLLATERAL, List.of()),
                tdx ? TDX_NOW : SGX_NOW);
    }

    /** Enarx SGX keep CSRs (extension 1.3.6.1.4.1.58270.1.2: quote, CRLs, TCB Info package). */
    @MethodSource("csrs")
    @FuzzTest
    void enarxSgxCsr(byte[] data) {
        allowRefusal(() -> EnarxSgxCsr.parse(data));
        verify(
                Tee.SGX,
                Container.ENARX_CSR,
                data,
                endorsements(Optional.empty(), List.of()),
                Instant.parse("2023-02-01T00:00:00Z"));
    }

    /** PCS TCB Info JSON (signed document, SGX and TDX shapes, v2 and v3). */
    @MethodSource("tcbInfos")
    @FuzzTest
    void tcbInfoJson(byte[] data) {
        allowRefusal(() -> TcbInfo.parse(
                StrictJson.signedDocument(data, "TCB Info", "tcbInfo").node()));
    }

    /** PCS QE Identity JSON (QE and TD_QE). */
    @MethodSource("qeIdentities")
    @FuzzTest
    void qeIdentityJson(byte[] data) {
        allowRefusal(
                () -> QeIdentity.parse(StrictJson.signedDocument(data, "QE Identity", "enclaveIdentity", "qeIdentity")
                        .node()));
    }

    /** dcap-qvl's collateral JSON, parsed and then used to verify a real SGX quote. */
    @MethodSource("collaterals")
    @FuzzTest
    void dcapQvlCollateral(byte[] data) {
        allowRefusal(() -> {
            CollateralBundle bundle = CollateralBundle.of(new IntelCollateral.DcapQvlJson(data));
            TcbInfo.parse(bundle.tcbInfo().node());
            if (bundle.qeIdentity().isPresent())
                QeIdentity.parse(bundle.qeIdentity().get().node());
        });
        verify(Tee.SGX, Container.INTEL_QUOTE, SGX_QUOTE, collateral(data, List.of()), SGX_NOW);
    }

    /** Certificates (DER, PEM chains), CRLs and the PCK extension, then the bytes as an extra CRL and as the pinned root. */
    @MethodSource("certificates")
    @FuzzTest
    void intelCertificatesAndCrls(byte[] data) {
        allowRefusal(() -> {
            for (byte[] der : Certificates.certificateDers(data, "fuzz")) {
                X509Certificate c = Certificates.certificate(der);
                if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) PckExtension.of(c);
            }
        });
        allowRefusal(() -> Certificates.crl(data));
        verify(Tee.SGX, Container.INTEL_QUOTE, SGX_QUOTE, collateral(SGX_COLLATERAL, List.of(data)), SGX_NOW);
        verify(
                Tee.SGX,
                Container.INTEL_QUOTE,
                SGX_QUOTE,
                new Endorsements(
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        List.of(),
                        Optional.of(new IntelCollateral.DcapQvlJson(SGX_COLLATERAL)),
                        Optional.of(data)),
                SGX_NOW);
    }

    private static Endorsements collateral(byte[] json, List<byte[]> crls) {
        return endorsements(Optional.of(new IntelCollateral.DcapQvlJson(json)), crls);
    }

    private static Endorsements endorsements(Optional<IntelCollateral> collateral, List<byte[]> crls) {
        return new Endorsements(
                Optional.empty(), Optional.empty(), Optional.empty(), crls, collateral, Optional.of(ROOT));
    }

    private static void verify(Tee tee, Container container, byte[] data, Endorsements endorsements, Instant now) {
        allowRefusal(() -> VERIFIER.verifyOrThrow(tee, new EvidenceInput(tee, container, data, endorsements), now));
    }
}
