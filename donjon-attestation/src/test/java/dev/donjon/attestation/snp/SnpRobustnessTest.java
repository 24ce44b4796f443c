package dev.donjon.attestation.snp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.abi.snp.AttestationReport;
import dev.donjon.abi.snp.KdsExtensions;
import dev.donjon.attestation.Container;
import dev.donjon.attestation.Endorsements;
import dev.donjon.attestation.EvidenceInput;
import dev.donjon.attestation.FlipMasks;
import dev.donjon.attestation.RejectReason;
import dev.donjon.attestation.Tee;
import dev.donjon.attestation.TeeVerifier;
import dev.donjon.attestation.VerificationResult;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Generated negatives on real evidence, malformed input, and the ServiceLoader registration. */
class SnpRobustnessTest {

    private static final Instant NOW = Instant.parse("2024-06-01T00:00:00Z");
    private static final String REPORT = "snp/go-sev-guest/attestation.bin";
    private static final String VCEK = "snp/go-sev-guest/vcek.testcer";
    private static final String CHAIN = "amd/milan/ask_ark.pem";

    private final SnpVerifier verifier = new SnpVerifier();

    private VerificationResult.Rejected rejected(EvidenceInput in, RejectReason reason) {
        VerificationResult r = verifier.verify(in, NOW);
        VerificationResult.Rejected rej =
                assertInstanceOf(VerificationResult.Rejected.class, r, () -> "accepted: " + r);
        assertEquals(reason, rej.reason(), rej.detail());
        assertFalse(rej.detail().contains("\n"), "one-line detail");
        return rej;
    }

    private static EvidenceInput raw(Container container, byte[] evidence) {
        return Vectors.input(container, evidence, Optional.of(VCEK), Optional.empty(), CHAIN);
    }

    @Test
    void everySingleByteFlipInTheSignedRegionIsRejected() {
        byte[] original = Vectors.read(REPORT);
        assertTrue(
                verifier.verify(raw(Container.SNP_REPORT, original), NOW).accepted(),
                "control: the unmodified report verifies");
        FlipMasks masks = new FlipMasks(0x5E5);
        for (int offset = 0; offset < AttestationReport.SIGNED_LENGTH; offset++) {
            for (int mask : masks.next()) {
                byte[] flipped = original.clone();
                flipped[offset] ^= (byte) mask;
                VerificationResult r = verifier.verify(raw(Container.SNP_REPORT, flipped), NOW);
                String what = String.format("byte 0x%03x ^ 0x%02x", offset, mask);
                VerificationResult.Rejected rej =
                        assertInstanceOf(VerificationResult.Rejected.class, r, () -> "accepted with " + what);
                assertEquals(expected(offset, flipped[offset]), rej.reason(), () -> what + ": " + rej.detail());
            }
        }
    }

    /**
     * What a changed signed byte must give: malformed where the parser can no longer read the report (VERSION outside
     * 2-5, SIGNATURE_ALGO other than 1, KEY_INFO's SIGNING_KEY neither VCEK (0) nor VLEK (1)), the signature otherwise.
     * (A VLEK report whose only endorsement is a VCEK never reaches its signature: no VLEK to check it with.)
     */
    private static RejectReason expected(int offset, byte now) {
        int value = now & 0xFF;
        return switch (offset) {
            case 0 -> value >= 2 && value <= 5 ? RejectReason.SIGNATURE : RejectReason.MALFORMED; // upper bytes are 0
            case 1, 2, 3, 0x34, 0x35, 0x36, 0x37 -> RejectReason.MALFORMED; // VERSION's upper bytes, SIGNATURE_ALGO (1)
            case 0x48 ->
                switch ((value >>> 2) & 7) {
                    case 0 -> RejectReason.SIGNATURE;
                    case 1 -> RejectReason.CHAIN;
                    default -> RejectReason.MALFORMED;
                };
            default -> RejectReason.SIGNATURE;
        };
    }

    @Test
    void signatureFieldChangesAreRejectedButReservedSignatureBytesAreNotSigned() {
        byte[] original = Vectors.read(REPORT);
        for (int offset : new int[] {0x2A0, 0x2D0, 0x2E8, 0x317}) {
            byte[] flipped = original.clone();
            flipped[offset] ^= 0x01;
            rejected(raw(Container.SNP_REPORT, flipped), RejectReason.SIGNATURE);
        }
        byte[] rHigh = original.clone();
        rHigh[0x2A0 + 71] = 1; // r wider than the P-384 order size
        rejected(raw(Container.SNP_REPORT, rHigh), RejectReason.SIGNATURE);
    }

    @Test
    void truncatedPaddedOrGarbageReportsAreMalformed() {
        byte[] original = Vectors.read(REPORT);
        rejected(raw(Container.SNP_REPORT, new byte[0]), RejectReason.MALFORMED);
        rejected(
                raw(Container.SNP_REPORT, Arrays.copyOf(original, AttestationReport.SIZE - 1)), RejectReason.MALFORMED);
        rejected(
                raw(Container.SNP_REPORT, Arrays.copyOf(original, AttestationReport.SIZE + 1)), RejectReason.MALFORMED);
        rejected(raw(Container.SNP_REPORT, new byte[AttestationReport.SIZE]), RejectReason.MALFORMED); // version 0
        byte[] unsigned = original.clone();
        unsigned[0x48] = 7 << 2;
        assertTrue(rejected(raw(Container.SNP_REPORT, unsigned), RejectReason.MALFORMED)
                .detail()
                .contains("not signed"));
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            byte[] garbage = new byte[random.nextInt(2 * AttestationReport.SIZE)];
            random.nextBytes(garbage);
            assertFalse(verifier.verify(raw(Container.SNP_REPORT, garbage), NOW).accepted());
        }
    }

    @Test
    void missingOrBrokenEndorsementsAreRefused() {
        byte[] report = Vectors.read(REPORT);
        rejected(
                Vectors.input(Container.SNP_REPORT, report, Optional.of(VCEK), Optional.empty(), null),
                RejectReason.CHAIN);
        rejected(
                Vectors.input(Container.SNP_REPORT, report, Optional.empty(), Optional.of(VCEK), CHAIN),
                RejectReason.CHAIN);
        Endorsements garbageVcek = new Endorsements(
                Optional.of("not a cert".getBytes(StandardCharsets.US_ASCII)),
                Optional.empty(),
                Optional.of(Vectors.read(CHAIN)),
                List.of(),
                Optional.empty(),
                Optional.empty());
        rejected(new EvidenceInput(Tee.SNP, Container.SNP_REPORT, report, garbageVcek), RejectReason.MALFORMED);
        Endorsements garbageChain = new Endorsements(
                Optional.of(Vectors.read(VCEK)),
                Optional.empty(),
                Optional.of(new byte[] {0x30, 0x03, 1, 2, 3}),
                List.of(),
                Optional.empty(),
                Optional.empty());
        rejected(new EvidenceInput(Tee.SNP, Container.SNP_REPORT, report, garbageChain), RejectReason.MALFORMED);
        Endorsements garbageCrl = new Endorsements(
                Optional.of(Vectors.read(VCEK)),
                Optional.empty(),
                Optional.of(Vectors.read(CHAIN)),
                List.of(new byte[] {1, 2}),
                Optional.empty(),
                Optional.empty());
        rejected(new EvidenceInput(Tee.SNP, Container.SNP_REPORT, report, garbageCrl), RejectReason.MALFORMED);
        rejected(new EvidenceInput(Tee.SGX, Container.SNP_REPORT, report, Endorsements.none()), RejectReason.MALFORMED);
        rejected(raw(Container.INTEL_QUOTE, report), RejectReason.MALFORMED);
    }

    @Test
    void brokenConfigfsTsmJsonIsMalformed() {
        rejected(raw(Container.TSM_JSON, "{".getBytes(StandardCharsets.US_ASCII)), RejectReason.MALFORMED);
        rejected(raw(Container.TSM_JSON, "[]".getBytes(StandardCharsets.US_ASCII)), RejectReason.MALFORMED);
        rejected(
                raw(Container.TSM_JSON, "{\"auxblob\":\"\"}".getBytes(StandardCharsets.US_ASCII)),
                RejectReason.MALFORMED);
        rejected(
                raw(Container.TSM_JSON, "{\"outblob\":\"***\"}".getBytes(StandardCharsets.US_ASCII)),
                RejectReason.MALFORMED);
        String out = Base64.getUrlEncoder().encodeToString(Vectors.read(REPORT));
        rejected(
                raw(
                        Container.TSM_JSON,
                        ("{\"outblob\":\"" + out + "\",\"provider\":\"tdx_guest\"}")
                                .getBytes(StandardCharsets.US_ASCII)),
                RejectReason.MALFORMED);
        byte[] table = new byte[48];
        table[0] = (byte) 0x63;
        table[1] = (byte) 0xda; // an entry that points past the table
        table[16] = (byte) 0xFF;
        table[20] = 10;
        String aux = Base64.getUrlEncoder().encodeToString(table);
        rejected(
                raw(
                        Container.TSM_JSON,
                        ("{\"outblob\":\"" + out + "\",\"auxblob\":\"" + aux + "\"}")
                                .getBytes(StandardCharsets.US_ASCII)),
                RejectReason.MALFORMED);
        String unterminated = Base64.getUrlEncoder().encodeToString(Arrays.copyOf(table, 20));
        rejected(
                raw(
                        Container.TSM_JSON,
                        ("{\"outblob\":\"" + out + "\",\"auxblob\":\"" + unterminated + "\"}")
                                .getBytes(StandardCharsets.US_ASCII)),
                RejectReason.MALFORMED);
        // no auxblob: the VCEK comes from the endorsements
        assertTrue(verifier.verify(
                        raw(Container.TSM_JSON, ("{\"outblob\":\"" + out + "\"}").getBytes(StandardCharsets.US_ASCII)),
                        NOW)
                .accepted());
    }

    @Test
    void configfsTsmTableArkMustBeThePinnedArk() {
        // go-sev-guest's evidence in a table whose ARK is Genoa's while Milan's is pinned
        byte[] json = Vectors.read("snp/go-sev-guest/attestation.tsm.json");
        EvidenceInput pinnedGenoa =
                Vectors.input(Container.TSM_JSON, json, Optional.empty(), Optional.empty(), "amd/genoa/ask_ark.pem");
        rejected(pinnedGenoa, RejectReason.CHAIN);
    }

    @Test
    void mutatedContainersNeverEscapeAsExceptions() {
        Random random = new Random(7);
        List<byte[]> seeds = List.of(
                Vectors.read("enarx/steward/milan.signed.crl.csr"),
                Vectors.read("snp/go-sev-guest/attestation.tsm.json"));
        List<Container> containers = List.of(Container.ENARX_CSR, Container.TSM_JSON);
        for (int s = 0; s < seeds.size(); s++) {
            for (int i = 0; i < 150; i++) {
                byte[] m = seeds.get(s).clone();
                int edits = 1 + random.nextInt(4);
                for (int e = 0; e < edits; e++) m[random.nextInt(m.length)] = (byte) random.nextInt(256);
                if (random.nextInt(4) == 0) m = Arrays.copyOf(m, random.nextInt(m.length));
                VerificationResult r =
                        verifier.verify(raw(containers.get(s), m), Instant.parse("2023-01-15T00:00:00Z"));
                if (r instanceof VerificationResult.Rejected rej)
                    assertFalse(rej.detail().isBlank());
            }
        }
    }

    @Test
    void trusteeVcekExtensionEncodingsBothParse() throws Exception {
        byte[] hwId = new byte[64];
        for (int i = 0; i < 64; i++) hwId[i] = (byte) i;
        KdsExtensions legacy = KdsExtensions.of(
                CertificateFiles.firstCertificate(Vectors.read("snp/trustee/test-vcek-invalid-legacy.der"), "legacy"));
        assertEquals(0xA9, legacy.ucodeSpl().getAsInt());
        assertEquals(3, legacy.blSpl().getAsInt());
        assertEquals(10, legacy.snpSpl().getAsInt());
        assertEquals(
                HexFormat.of().formatHex(hwId),
                HexFormat.of().formatHex(legacy.hwId().orElseThrow()));
        assertEquals("Milan-B0", legacy.productName().orElseThrow());
        KdsExtensions wrapped = KdsExtensions.of(
                CertificateFiles.firstCertificate(Vectors.read("snp/trustee/test-vcek-invalid-new.der"), "new"));
        assertEquals(0x1E, wrapped.ucodeSpl().getAsInt());
        assertEquals(
                HexFormat.of().formatHex(hwId),
                HexFormat.of().formatHex(wrapped.hwId().orElseThrow()));
    }

    @Test
    void trusteeReportedTcbIncrementFailsVerification() {
        // upstream check_report_tcb_failure: REPORTED_TCB (0x180) + 1; signed, so the signature check fails first
        byte[] report = Vectors.read("snp/trustee/test-report.bin");
        report[0x180]++;
        rejected(
                Vectors.input(
                        Container.SNP_REPORT,
                        report,
                        Optional.of("snp/trustee/test-vcek.der"),
                        Optional.empty(),
                        "snp/trustee/milan_ask_ark_asvk.pem"),
                RejectReason.SIGNATURE);
    }

    @Test
    void serviceLoaderFindsTheSnpVerifier() {
        assertTrue(ServiceLoader.load(TeeVerifier.class).stream()
                .map(ServiceLoader.Provider::get)
                .anyMatch(v -> v.tee() == Tee.SNP && v instanceof SnpVerifier));
    }
}
