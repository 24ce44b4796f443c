package dev.donjon.attestation.intel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.abi.intel.IntelQuote;
import dev.donjon.abi.intel.SgxReportBody;
import dev.donjon.attestation.Container;
import dev.donjon.attestation.Endorsements;
import dev.donjon.attestation.EvidenceInput;
import dev.donjon.attestation.FlipMasks;
import dev.donjon.attestation.IntelCollateral;
import dev.donjon.attestation.RejectReason;
import dev.donjon.attestation.Tee;
import dev.donjon.attestation.TeeVerifier;
import dev.donjon.attestation.VerificationResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Generated negatives on real Intel quotes (SGX v3, TDX v4, TDX v5): every single-byte change of everything the quote's
 * authenticity rests on, with each of the {@link FlipMasks} (XOR 0x01, 0x80, 0xFF and a seeded random mask), is
 * rejected with the reason class that region must give:
 * header fields that select the layout -> malformed; the rest of header and body -> signature (attestation key);
 * QE report and its signature -> signature (PCK key); attestation key and QE authentication data -> binding
 * (they are only hashed into the QE report's REPORT_DATA); the quote signature -> signature.
 */
class IntelRobustnessTest {

    private static final String ROOT = "intel/Intel_SGX_Root_CA.der";

    static byte[] read(String relative) {
        try {
            return Files.readAllBytes(
                    IntelVectorCasesTest.shared().resolve("vectors").resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static EvidenceInput input(Tee tee, byte[] quote, Optional<String> collateral) {
        Endorsements e = new Endorsements(
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of(),
                collateral.map(c -> new IntelCollateral.DcapQvlJson(read(c))),
                Optional.of(read(ROOT)));
        return new EvidenceInput(tee, Container.INTEL_QUOTE, quote, e);
    }

    /** The byte ranges of a parsed quote, located from the parse and checked against the bytes. */
    record Layout(
            int signedEnd, int signatureAt, int keyAt, int qeReportAt, int qeSignatureAt, int authAt, int authEnd) {
        static Layout of(byte[] quote) throws Exception {
            IntelQuote q = IntelQuoteVerifier.quote(quote);
            int signedEnd = q.signedData().length;
            int signatureAt = signedEnd + 4;
            int keyAt = signatureAt + 64;
            int qeReportAt = keyAt + 64 + (q.version() >= 4 ? 6 : 0); // v4+: type 6 wrapper (u16 type, u32 size)
            int qeSignatureAt = qeReportAt + SgxReportBody.SIZE;
            int authAt = qeSignatureAt + 64 + 2;
            Layout l = new Layout(
                    signedEnd, signatureAt, keyAt, qeReportAt, qeSignatureAt, authAt, authAt + q.qeAuthData().length);
            assertArrayEquals(q.signature(), Arrays.copyOfRange(quote, signatureAt, keyAt));
            assertArrayEquals(q.attestationKey(), Arrays.copyOfRange(quote, keyAt, keyAt + 64));
            assertArrayEquals(q.qeReport().raw(), Arrays.copyOfRange(quote, qeReportAt, qeSignatureAt));
            assertArrayEquals(q.qeReportSignature(), Arrays.copyOfRange(quote, qeSignatureAt, qeSignatureAt + 64));
            assertArrayEquals(q.qeAuthData(), Arrays.copyOfRange(quote, authAt, l.authEnd()));
            return l;
        }
    }

    /** The reason a flip at {@code offset} must give. Header: version 0-1, key type 2-3, TEE type 4-7; v5 body type 48-49, size 50-53. */
    private static RejectReason expected(int version, Layout l, int offset) {
        if (offset < 8) return RejectReason.MALFORMED;
        if (version == 5 && offset >= 48 && offset < 54) return RejectReason.MALFORMED;
        if (offset < l.signedEnd()) return RejectReason.SIGNATURE;
        if (offset >= l.signatureAt() && offset < l.keyAt()) return RejectReason.SIGNATURE;
        if (offset >= l.keyAt() && offset < l.keyAt() + 64) return RejectReason.BINDING;
        if (offset >= l.qeReportAt() && offset < l.qeSignatureAt() + 64) return RejectReason.SIGNATURE;
        if (offset >= l.authAt() && offset < l.authEnd()) return RejectReason.BINDING;
        throw new IllegalArgumentException("offset " + offset + " is outside the regions under test");
    }

    private static void everyFlipRejected(
            TeeVerifier verifier, Tee tee, String file, Optional<String> collateral, Instant now, int wantVersion)
            throws Exception {
        byte[] original = read(file);
        VerificationResult control = verifier.verify(input(tee, original, collateral), now);
        assertTrue(control.accepted(), () -> "control: the unmodified quote verifies: " + control);
        Layout l = Layout.of(original);
        int version = IntelQuoteVerifier.quote(original).version();
        assertEquals(wantVersion, version);

        List<int[]> regions = List.of(
                new int[] {0, l.signedEnd()},
                new int[] {l.signatureAt(), l.keyAt() + 64},
                new int[] {l.qeReportAt(), l.qeSignatureAt() + 64},
                new int[] {l.authAt(), l.authEnd()});
        Map<RejectReason, Integer> counts = new EnumMap<>(RejectReason.class);
        int flipped = 0;
        FlipMasks masks = new FlipMasks(version);
        for (int[] region : regions) {
            for (int offset = region[0]; offset < region[1]; offset++) {
                for (int mask : masks.next()) {
                    byte[] mutated = original.clone();
                    mutated[offset] ^= (byte) mask;
                    VerificationResult r = verifier.verify(input(tee, mutated, collateral), now);
                    String what = file + String.format(" byte %d ^ 0x%02x", offset, mask);
                    VerificationResult.Rejected rej =
                            assertInstanceOf(VerificationResult.Rejected.class, r, () -> "accepted with " + what);
                    assertEquals(expected(version, l, offset), rej.reason(), () -> what + ": " + rej.detail());
                    assertFalse(rej.detail().contains("\n"), "one-line detail");
                    counts.merge(rej.reason(), 1, Integer::sum);
                    flipped++;
                }
            }
        }
        // four masks on the whole header + body, the 64-byte signature, key and QE signature, the 384-byte QE report
        assertTrue(flipped >= 4 * (l.signedEnd() + 64 * 3 + SgxReportBody.SIZE), "flipped " + flipped);
        assertTrue(l.authEnd() > l.authAt(), "the quote carries QE authentication data");
        assertTrue(counts.get(RejectReason.SIGNATURE) > counts.get(RejectReason.MALFORMED), counts::toString);
    }

    @Test
    void everyFlipOfAnSgxV3QuoteIsRejected() throws Exception {
        everyFlipRejected(
                new SgxVerifier(),
                Tee.SGX,
                "sgx/dcap-qvl/sgx_quote",
                Optional.of("sgx/dcap-qvl/sgx_quote_collateral.json"),
                Instant.parse("2025-07-19T10:01:17Z"),
                3);
    }

    @Test
    void everyFlipOfATdxV4QuoteIsRejected() throws Exception {
        everyFlipRejected(
                new TdxVerifier(),
                Tee.TDX,
                "tdx/dcap-qvl/tdx_quote",
                Optional.of("tdx/dcap-qvl/tdx_quote_collateral.json"),
                Instant.parse("2025-07-19T10:00:34Z"),
                4);
    }

    @Test
    void everyFlipOfATdxV5QuoteIsRejected() throws Exception {
        // its collateral says OutOfDate (a tcb-level reject), so the control is the signature and PCK-chain
        // verification alone
        everyFlipRejected(
                new TdxVerifier(),
                Tee.TDX,
                "tdx/dcap-qvl/tdx_quote_outdated",
                Optional.empty(),
                Instant.parse("2026-03-01T00:00:00Z"),
                5);
    }

    @Test
    void cachedChainsAndCollateralSignaturesNeverExtendTrust() {
        SgxVerifier verifier = new SgxVerifier(); // one instance: its caches fill on the first accept
        byte[] quote = read("sgx/dcap-qvl/sgx_quote");
        Optional<String> collateral = Optional.of("sgx/dcap-qvl/sgx_quote_collateral.json");
        Instant now = Instant.parse("2025-07-19T10:01:17Z");
        assertTrue(verifier.verify(input(Tee.SGX, quote, collateral), now).accepted());
        // the same bytes a day later: the TCB Info's nextUpdate has passed
        VerificationResult later =
                verifier.verify(input(Tee.SGX, quote, collateral), Instant.parse("2025-07-20T10:01:17Z"));
        assertEquals(
                RejectReason.EXPIRED,
                assertInstanceOf(VerificationResult.Rejected.class, later).reason());
        // a TCB Info body changed under the cached signature and signer chain
        String json = new String(read(collateral.get()), java.nio.charset.StandardCharsets.UTF_8);
        String forged = json.replaceFirst("tcbEvaluationDataNumber\\\\\":17", "tcbEvaluationDataNumber\\\\\":18");
        assertFalse(forged.equals(json), "the forgery changed the TCB Info");
        Endorsements e = new Endorsements(
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of(),
                Optional.of(new IntelCollateral.DcapQvlJson(forged.getBytes(java.nio.charset.StandardCharsets.UTF_8))),
                Optional.of(read(ROOT)));
        VerificationResult r = verifier.verify(new EvidenceInput(Tee.SGX, Container.INTEL_QUOTE, quote, e), now);
        VerificationResult.Rejected rej = assertInstanceOf(VerificationResult.Rejected.class, r);
        assertEquals(RejectReason.SIGNATURE, rej.reason(), rej.detail());
        assertTrue(rej.detail().contains("TCB Info"), rej.detail());
        assertTrue(
                verifier.verify(input(Tee.SGX, quote, collateral), now).accepted(),
                "still accepts the genuine collateral");
    }

    @Test
    void intelsProductionRootIsTheDefaultAnchor() {
        Endorsements noRoot = new Endorsements(
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of(),
                Optional.of(new IntelCollateral.DcapQvlJson(read("sgx/dcap-qvl/sgx_quote_collateral.json"))),
                Optional.empty());
        Instant now = Instant.parse("2025-07-19T10:01:17Z");
        assertTrue(new SgxVerifier()
                .verify(new EvidenceInput(Tee.SGX, Container.INTEL_QUOTE, read("sgx/dcap-qvl/sgx_quote"), noRoot), now)
                .accepted());
        // Intel's QVL sample data chains to its own fake root: refused without pinning that root explicitly
        Endorsements none = new Endorsements(
                Optional.empty(), Optional.empty(), Optional.empty(), List.of(), Optional.empty(), Optional.empty());
        VerificationResult r = new SgxVerifier()
                .verify(
                        new EvidenceInput(
                                Tee.SGX, Container.INTEL_QUOTE, read("synthetic/intel-qvl-sampleData/quote.dat"), none),
                        Instant.parse("2025-01-01T00:00:00Z"));
        assertEquals(
                RejectReason.CHAIN,
                assertInstanceOf(VerificationResult.Rejected.class, r).reason());
    }

    @Test
    void pemWhoseEndMarkerOverlapsTheBeginLineIsMalformed() {
        // fuzzing found "-----BEGIN X509 CRL-----END X509 CRL-----" making the base64 range negative
        byte[] overlap =
                "-----BEGIN X509 CRL-----END X509 CRL-----".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        org.junit.jupiter.api.Assertions.assertThrows(
                dev.donjon.attestation.MalformedEvidenceException.class, () -> Certificates.crl(overlap));
        byte[] certs =
                "-----BEGIN CERTIFICATE-----END CERTIFICATE-----".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        org.junit.jupiter.api.Assertions.assertThrows(
                dev.donjon.attestation.MalformedEvidenceException.class,
                () -> Certificates.certificateDers(certs, "chain"));
    }

    @Test
    void truncationsAndGarbageAreMalformedNeverThrown() {
        byte[] original = read("tdx/dcap-qvl/tdx_quote");
        TdxVerifier tdx = new TdxVerifier();
        Instant now = Instant.parse("2025-07-19T10:00:34Z");
        for (int cut : new int[] {0, 1, 47, 48, 631, 632, 636, 700, 1200}) {
            VerificationResult r = tdx.verify(input(Tee.TDX, Arrays.copyOf(original, cut), Optional.empty()), now);
            VerificationResult.Rejected rej = assertInstanceOf(VerificationResult.Rejected.class, r);
            assertEquals(RejectReason.MALFORMED, rej.reason(), rej.detail());
        }
        Random random = new Random(11);
        SgxVerifier sgx = new SgxVerifier();
        for (int i = 0; i < 300; i++) {
            byte[] garbage = new byte[random.nextInt(6000)];
            random.nextBytes(garbage);
            if (garbage.length >= 8) { // a plausible header so that parsing goes further than the version check
                garbage[0] = 3;
                garbage[1] = 0;
                garbage[2] = 2;
                garbage[3] = 0;
                Arrays.fill(garbage, 4, 8, (byte) 0);
            }
            assertFalse(
                    sgx.verify(input(Tee.SGX, garbage, Optional.empty()), now).accepted());
        }
    }
}
