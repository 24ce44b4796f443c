package dev.donjon.attestation.intel;

import dev.donjon.abi.FormatException;
import dev.donjon.abi.intel.IntelQuote;
import dev.donjon.abi.intel.SgxReportBody;
import dev.donjon.abi.intel.TdReportBody;
import dev.donjon.attestation.Claims;
import dev.donjon.attestation.Container;
import dev.donjon.attestation.Endorsements;
import dev.donjon.attestation.EvidenceInput;
import dev.donjon.attestation.MalformedEvidenceException;
import dev.donjon.attestation.RejectReason;
import dev.donjon.attestation.Tee;
import dev.donjon.attestation.VerificationException;
import dev.donjon.attestation.VerificationResult;
import dev.donjon.common.OneLine;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The DCAP verification shared by SGX and TDX: quote and QE-report signatures, the QE binding of the attestation key,
 * the PCK chain to the pinned root with CRLs, then (when collateral is given) TCB Info and QE Identity and the TCB
 * level. One instance memoizes validated certificate chains; it is safe to share between threads.
 */
final class IntelQuoteVerifier {
    private static final String PCK_LEAF_CN = "Intel SGX PCK Certificate";
    private static final String TCB_SIGNING_CN = "Intel SGX TCB Signing";

    private final ChainValidator chains = new ChainValidator();

    VerificationResult verify(Tee tee, EvidenceInput input, Instant now) {
        try {
            return verifyOrThrow(tee, input, now);
        } catch (VerificationException e) {
            return new VerificationResult.Rejected(tee, e.reason(), e.getMessage());
        } catch (RuntimeException e) {
            // A parser bug must still end as a refusal, never as an exception escaping to the caller.
            return new VerificationResult.Rejected(
                    tee, RejectReason.MALFORMED, "evidence could not be processed: " + OneLine.of(e));
        }
    }

    /** Every check, throwing the first defect; only {@link VerificationException}s may leave it (the fuzz tests hold it to that). */
    VerificationResult verifyOrThrow(Tee tee, EvidenceInput input, Instant now) throws VerificationException {
        if (input.tee() != tee)
            throw new MalformedEvidenceException(
                    "evidence is for " + input.tee().wireName() + ", this verifier checks " + tee.wireName());
        Endorsements end = input.endorsements();
        byte[] quoteBytes;
        List<byte[]> crls = new ArrayList<>(end.crls());
        Optional<CollateralBundle> collateral = Optional.empty();
        Optional<EnarxSgxCsr> csr = Optional.empty();
        if (input.container() == Container.INTEL_QUOTE) {
            quoteBytes = input.evidence();
            if (end.collateral().isPresent())
                collateral = Optional.of(CollateralBundle.of(end.collateral().get()));
        } else if (input.container() == Container.ENARX_CSR && tee == Tee.SGX) {
            EnarxSgxCsr c = EnarxSgxCsr.parse(input.evidence());
            csr = Optional.of(c);
            quoteBytes = c.quote();
            crls.addAll(c.crls());
            StrictJson.Signed tcb = StrictJson.signedDocument(c.tcbInfo(), "TCB Info in the CSR", "tcbInfo");
            collateral = Optional.of(new CollateralBundle(
                    new CollateralBundle.SignedCollateral(tcb.body(), tcb.node(), tcb.signature(), c.tcbIssuerChain()),
                    Optional.empty(),
                    List.of()));
        } else {
            throw new MalformedEvidenceException("container "
                    + input.container().wireName() + " is not supported for " + tee.wireName() + " evidence");
        }
        collateral.ifPresent(b -> crls.addAll(b.crls()));
        IntelQuote quote = quote(quoteBytes);
        Tee quoted = quote.tdx() ? Tee.TDX : Tee.SGX;
        if (quoted != tee)
            throw new MalformedEvidenceException(
                    "quote is a " + quoted.wireName() + " quote, expected " + tee.wireName());
        byte[] rootDer =
                end.rootCa().isPresent() ? Certificates.oneDer(end.rootCa().get(), "pinned root CA") : IntelRoot.der();

        // PCK chain first: the QE report is only worth checking under a trusted PCK key.
        IntelQuote.CertificationData cert = quote.certification();
        if (cert.type() != IntelQuote.CertificationData.PCK_CHAIN) {
            throw new VerificationException(
                    RejectReason.CHAIN,
                    "quote carries no PCK certificate chain (certification data type " + cert.type() + ")");
        }
        List<X509Certificate> pckChain = chains.validate(
                Certificates.certificateDers(cert.data(), "PCK certificate chain"), rootDer, now, "PCK chain");
        X509Certificate pck = pckChain.getFirst();
        if (!ChainValidator.cn(pck).equals(PCK_LEAF_CN))
            throw new VerificationException(
                    RejectReason.CHAIN, "PCK chain leaf '" + ChainValidator.cn(pck) + "' is not a PCK certificate");
        chains.checkRevocation(pckChain, crls, now, "PCK chain");
        PckExtension pckExt = PckExtension.of(pck);

        if (!P256.verify(pck.getPublicKey(), quote.qeReport().raw(), quote.qeReportSignature())) {
            throw new VerificationException(
                    RejectReason.SIGNATURE, "QE report signature does not verify with the PCK key");
        }
        byte[] expected = sha256(quote.attestationKey(), quote.qeAuthData());
        if (!Arrays.equals(expected, Arrays.copyOf(quote.qeReport().reportData(), 32))) {
            throw new VerificationException(
                    RejectReason.BINDING,
                    "QE REPORT_DATA does not bind the attestation key and QE authentication data");
        }
        PublicKey attestationKey = P256.publicKey(quote.attestationKey())
                .orElseThrow(() ->
                        new VerificationException(RejectReason.SIGNATURE, "attestation key is not a P-256 point"));
        if (!P256.verify(attestationKey, quote.signedData(), quote.signature())) {
            throw new VerificationException(
                    RejectReason.SIGNATURE, "quote signature does not verify with the attestation key");
        }
        if (csr.isPresent()) {
            byte[] bound = sha256(csr.get().spkiDer());
            if (!Arrays.equals(bound, Arrays.copyOf(quote.body().reportData(), 32))) {
                throw new VerificationException(RejectReason.BINDING, "REPORT_DATA does not bind the CSR public key");
            }
        }

        Optional<TcbEvaluator.Verdict> verdict = Optional.empty();
        if (collateral.isPresent())
            verdict = Optional.of(evaluateCollateral(tee, quote, pckExt, collateral.get(), rootDer, crls, now));

        Claims claims = claims(quote, pckExt);
        return new VerificationResult.Accepted(
                tee,
                claims,
                verdict.map(TcbEvaluator.Verdict::status),
                verdict.map(v -> List.copyOf(v.advisories())).orElse(List.of()));
    }

    private TcbEvaluator.Verdict evaluateCollateral(
            Tee tee,
            IntelQuote quote,
            PckExtension pck,
            CollateralBundle c,
            byte[] rootDer,
            List<byte[]> crls,
            Instant now)
            throws VerificationException {
        verifySigned(c.tcbInfo(), "TCB Info", rootDer, crls, now);
        TcbInfo tcbInfo = TcbInfo.parse(c.tcbInfo().node());
        inWindow(tcbInfo.issueDate(), tcbInfo.nextUpdate(), now, "TCB Info");
        String wantId = tee == Tee.TDX ? "TDX" : "SGX";
        if (!tcbInfo.id().equals(wantId))
            throw new VerificationException(
                    RejectReason.BINDING, "TCB Info is for " + tcbInfo.id() + ", the quote is " + wantId);
        if (!Arrays.equals(tcbInfo.fmspc(), pck.fmspc())) {
            throw new VerificationException(
                    RejectReason.BINDING,
                    "TCB Info FMSPC " + hex(tcbInfo.fmspc()) + " differs from the PCK's " + hex(pck.fmspc()));
        }
        if (tcbInfo.pceId().isPresent() && !Arrays.equals(tcbInfo.pceId().get(), pck.pceId())) {
            throw new VerificationException(RejectReason.BINDING, "TCB Info PCE-ID differs from the PCK's");
        }
        Optional<QeIdentity> qeIdentity = Optional.empty();
        if (c.qeIdentity().isPresent()) {
            verifySigned(c.qeIdentity().get(), "QE Identity", rootDer, crls, now);
            QeIdentity qe = QeIdentity.parse(c.qeIdentity().get().node());
            inWindow(qe.issueDate(), qe.nextUpdate(), now, "QE Identity");
            checkQeIdentity(tee, qe, quote.qeReport());
            qeIdentity = Optional.of(qe);
        }
        return TcbEvaluator.evaluate(
                tcbInfo, pck, quote.body(), qeIdentity, quote.qeReport().isvSvn());
    }

    private void verifySigned(
            CollateralBundle.SignedCollateral doc, String what, byte[] rootDer, List<byte[]> crls, Instant now)
            throws VerificationException {
        List<X509Certificate> chain = chains.validate(doc.issuerChain(), rootDer, now, what + " issuer chain");
        X509Certificate signer = chain.getFirst();
        if (!ChainValidator.cn(signer).equals(TCB_SIGNING_CN)) {
            throw new VerificationException(
                    RejectReason.CHAIN,
                    what + " is signed by '" + ChainValidator.cn(signer) + "', not the TCB signing certificate");
        }
        chains.checkRevocation(chain, crls, now, what + " issuer chain");
        if (!chains.collateralSignatureVerifies(signer.getPublicKey(), doc.body(), doc.signature())) {
            throw new VerificationException(
                    RejectReason.SIGNATURE, what + " signature does not verify with the TCB signing key");
        }
    }

    private static void checkQeIdentity(Tee tee, QeIdentity id, SgxReportBody qe) throws VerificationException {
        String want = tee == Tee.TDX ? "TD_QE" : "QE";
        if (!id.id().equals(want))
            throw new VerificationException(
                    RejectReason.BINDING, "QE Identity is for " + id.id() + ", expected " + want);
        if (!Arrays.equals(id.mrSigner(), qe.mrSigner()))
            throw new VerificationException(RejectReason.BINDING, "QE MRSIGNER differs from the QE Identity");
        if (id.isvProdId() != qe.isvProdId())
            throw new VerificationException(
                    RejectReason.BINDING,
                    "QE ISVPRODID " + qe.isvProdId() + " differs from the QE Identity's " + id.isvProdId());
        if ((qe.miscSelect() & id.miscSelectMask()) != (id.miscSelect() & id.miscSelectMask())) {
            throw new VerificationException(
                    RejectReason.BINDING, "QE MISCSELECT does not match the QE Identity under its mask");
        }
        for (int i = 0; i < 16; i++) {
            int mask = id.attributesMask()[i];
            if ((qe.attributes()[i] & mask) != (id.attributes()[i] & mask)) {
                throw new VerificationException(
                        RejectReason.BINDING, "QE ATTRIBUTES do not match the QE Identity under its mask");
            }
        }
    }

    private static void inWindow(Instant issue, Instant next, Instant now, String what) throws VerificationException {
        if (now.isBefore(issue) || now.isAfter(next)) {
            throw new VerificationException(
                    RejectReason.EXPIRED, what + " is valid " + issue + " .. " + next + ", not at " + now);
        }
    }

    private static Claims claims(IntelQuote q, PckExtension pck) {
        return switch (q.body()) {
            case SgxReportBody b ->
                new SgxClaims(
                        q.version(),
                        b.mrEnclave(),
                        b.mrSigner(),
                        b.isvProdId(),
                        b.isvSvn(),
                        b.attributes(),
                        b.miscSelect(),
                        b.reportData(),
                        pck.fmspc());
            case TdReportBody t ->
                new TdxClaims(
                        q.version(),
                        t.mrTd(),
                        Arrays.asList(t.rtmrs()),
                        t.mrConfigId(),
                        t.mrOwner(),
                        t.mrOwnerConfig(),
                        t.tdAttributes(),
                        t.xfam(),
                        t.reportData(),
                        pck.fmspc(),
                        t.teeTcbSvn(),
                        t.mrSeam());
        };
    }

    static byte[] sha256(byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) md.update(p);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }

    /** The quote, read through donjon-abi; a malformed one is malformed evidence. */
    static IntelQuote quote(byte[] bytes) throws MalformedEvidenceException {
        try {
            return IntelQuote.parse(bytes);
        } catch (FormatException e) {
            throw new MalformedEvidenceException(e);
        }
    }
}
