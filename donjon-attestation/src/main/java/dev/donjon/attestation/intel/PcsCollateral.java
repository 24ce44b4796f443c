package dev.donjon.attestation.intel;

import dev.donjon.abi.intel.IntelQuote;
import dev.donjon.attestation.MalformedEvidenceException;
import dev.donjon.attestation.RejectReason;
import dev.donjon.attestation.Tee;
import dev.donjon.attestation.VerificationException;
import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Checks one piece of Intel PCS collateral on its own, as a collateral cache must before it keeps or serves it: the
 * issuer chain ends in the pinned Intel root, the signature over the exact served bytes verifies, the piece is the one
 * that was asked for (TEE, FMSPC, CA) and it is inside its validity window at {@code now}. Revocation of the signing
 * chains and the TCB evaluation stay with the quote verification, which judges every piece again with all the CRLs.
 */
public final class PcsCollateral {

    private static final String TCB_SIGNING_CN = "Intel SGX TCB Signing";
    private static final String ROOT_CN = "Intel SGX Root CA";

    /** The PCK CA that issued a quote's PCK certificate, named as the PCS {@code pckcrl?ca=} parameter. */
    public enum PckCa {
        PROCESSOR("processor", "Intel SGX PCK Processor CA"),
        PLATFORM("platform", "Intel SGX PCK Platform CA");

        private final String parameter;
        private final String commonName;

        PckCa(String parameter, String commonName) {
            this.parameter = parameter;
            this.commonName = commonName;
        }

        /** {@code processor} or {@code platform}. */
        public String parameter() {
            return parameter;
        }

        public static PckCa fromParameter(String p) {
            for (PckCa c : values()) if (c.parameter.equals(p.toLowerCase(Locale.ROOT))) return c;
            throw new IllegalArgumentException("unknown PCK CA '" + p + "' (expected processor or platform)");
        }
    }

    /** What a quote needs verified beside it: TCB Info for its TEE and FMSPC, its QE's identity, its PCK CA's CRL. */
    public record Needs(Tee tee, String fmspc, PckCa pckCa) {}

    /**
     * A piece that passed.
     *
     * @param subject    one line naming the piece, e.g. {@code SGX TCB Info for FMSPC 00a067110000}
     * @param issued     issueDate (TCB Info, QE Identity) or thisUpdate (CRL)
     * @param nextUpdate when the piece must be replaced; after it, it is refused
     */
    public record Checked(String subject, Instant issued, Instant nextUpdate) {}

    private final byte[] rootDer;
    private final ChainValidator chains = new ChainValidator();

    /** @param pinnedRoot DER or PEM of the Intel root to trust; empty: Intel's production root, bundled */
    public PcsCollateral(Optional<byte[]> pinnedRoot) throws MalformedEvidenceException {
        this.rootDer =
                pinnedRoot.isPresent() ? Certificates.oneDer(pinnedRoot.get(), "pinned root CA") : IntelRoot.der();
    }

    /** Reads what collateral a quote (v3, v4 or v5) needs, from its PCK certificate; nothing is verified here. */
    public static Needs needs(byte[] quote) throws MalformedEvidenceException {
        IntelQuote q = IntelQuoteVerifier.quote(quote);
        if (q.certification().type() != IntelQuote.CertificationData.PCK_CHAIN) {
            throw new MalformedEvidenceException("the quote carries no PCK certificate chain, so its FMSPC is unknown");
        }
        List<byte[]> chain = Certificates.certificateDers(q.certification().data(), "PCK certificate chain");
        X509Certificate pck = Certificates.certificate(chain.getFirst());
        String issuer = ChainValidator.cn(pck.getIssuerX500Principal().getName());
        PckCa ca = null;
        for (PckCa c : PckCa.values()) if (c.commonName.equals(issuer)) ca = c;
        if (ca == null)
            throw new MalformedEvidenceException("the PCK certificate's issuer '" + issuer + "' is not a PCK CA");
        return new Needs(
                q.tdx() ? Tee.TDX : Tee.SGX,
                HexFormat.of().formatHex(PckExtension.of(pck).fmspc()),
                ca);
    }

    /** A PCS TCB Info response ({@code {"tcbInfo": ..., "signature": ...}}) for {@code tee} and {@code fmspc}. */
    public Checked tcbInfo(Tee tee, String fmspc, byte[] response, byte[] issuerChain, Instant now)
            throws VerificationException {
        StrictJson.Signed doc = StrictJson.signedDocument(response, "TCB Info", "tcbInfo");
        verifySigned(doc, issuerChain, "TCB Info", now);
        TcbInfo info = TcbInfo.parse(doc.node());
        String want = tee == Tee.TDX ? "TDX" : "SGX";
        if (!info.id().equals(want))
            throw new VerificationException(RejectReason.BINDING, "TCB Info is for " + info.id() + ", not " + want);
        String got = HexFormat.of().formatHex(info.fmspc());
        if (!got.equalsIgnoreCase(fmspc))
            throw new VerificationException(RejectReason.BINDING, "TCB Info is for FMSPC " + got + ", not " + fmspc);
        String subject = want + " TCB Info for FMSPC " + got;
        inWindow(subject, info.issueDate(), info.nextUpdate(), now);
        return new Checked(subject, info.issueDate(), info.nextUpdate());
    }

    /** A PCS enclave identity response for the quoting enclave of {@code tee} (QE for SGX, TD_QE for TDX). */
    public Checked qeIdentity(Tee tee, byte[] response, byte[] issuerChain, Instant now) throws VerificationException {
        StrictJson.Signed doc = StrictJson.signedDocument(response, "QE Identity", "enclaveIdentity", "qeIdentity");
        verifySigned(doc, issuerChain, "QE Identity", now);
        QeIdentity id = QeIdentity.parse(doc.node());
        String want = tee == Tee.TDX ? "TD_QE" : "QE";
        if (!id.id().equals(want))
            throw new VerificationException(RejectReason.BINDING, "QE Identity is for " + id.id() + ", not " + want);
        String subject = (tee == Tee.TDX ? "TDX" : "SGX") + " QE Identity (" + id.id() + ")";
        inWindow(subject, id.issueDate(), id.nextUpdate(), now);
        return new Checked(subject, id.issueDate(), id.nextUpdate());
    }

    /** A PCK CRL (DER or PEM) of {@code ca}, with the issuer chain the PCS sent beside it (the CA, then the root). */
    public Checked pckCrl(PckCa ca, byte[] crl, byte[] issuerChain, Instant now) throws VerificationException {
        List<X509Certificate> chain = chains.validate(
                Certificates.certificateDers(issuerChain, "PCK CRL issuer chain"),
                rootDer,
                now,
                "PCK CRL issuer chain");
        X509Certificate issuer = chain.getFirst();
        if (!ChainValidator.cn(issuer).equals(ca.commonName)) {
            throw new VerificationException(
                    RejectReason.BINDING,
                    "the PCK CRL issuer chain starts at '" + ChainValidator.cn(issuer) + "', not '" + ca.commonName
                            + "'");
        }
        return crlUnder(Certificates.crl(crl), issuer, "PCK CRL of '" + ca.commonName + "'", now);
    }

    /** The Intel SGX Root CA's CRL (DER or PEM), signed by the pinned root. */
    public Checked rootCrl(byte[] crl, Instant now) throws VerificationException {
        return crlUnder(Certificates.crl(crl), Certificates.certificate(rootDer), ROOT_CN + " CRL", now);
    }

    private Checked crlUnder(X509CRL crl, X509Certificate issuer, String subject, Instant now)
            throws VerificationException {
        if (!crl.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            throw new VerificationException(
                    RejectReason.BINDING,
                    subject + " is issued by '"
                            + ChainValidator.cn(crl.getIssuerX500Principal().getName()) + "'");
        }
        try {
            crl.verify(issuer.getPublicKey());
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new VerificationException(
                    RejectReason.SIGNATURE, subject + " does not verify under '" + ChainValidator.cn(issuer) + "'");
        }
        if (crl.getNextUpdate() == null) throw new MalformedEvidenceException(subject + " has no nextUpdate");
        Instant issued = crl.getThisUpdate().toInstant();
        Instant next = crl.getNextUpdate().toInstant();
        inWindow(subject, issued, next, now);
        return new Checked(subject, issued, next);
    }

    private void verifySigned(StrictJson.Signed doc, byte[] issuerChain, String what, Instant now)
            throws VerificationException {
        List<X509Certificate> chain = chains.validate(
                Certificates.certificateDers(issuerChain, what + " issuer chain"),
                rootDer,
                now,
                what + " issuer chain");
        X509Certificate signer = chain.getFirst();
        if (!ChainValidator.cn(signer).equals(TCB_SIGNING_CN)) {
            throw new VerificationException(
                    RejectReason.CHAIN,
                    what + " is signed by '" + ChainValidator.cn(signer) + "', not the TCB signing certificate");
        }
        if (!chains.collateralSignatureVerifies(signer.getPublicKey(), doc.body(), doc.signature())) {
            throw new VerificationException(
                    RejectReason.SIGNATURE, what + " signature does not verify with the TCB signing key");
        }
    }

    private static void inWindow(String what, Instant from, Instant to, Instant now) throws VerificationException {
        if (now.isBefore(from) || now.isAfter(to)) {
            throw new VerificationException(
                    RejectReason.EXPIRED, what + " is valid " + from + " .. " + to + ", not at " + now);
        }
    }
}
