package dev.donjon.attestation.snp;

import dev.donjon.abi.snp.ProductLine;
import dev.donjon.attestation.MalformedEvidenceException;
import dev.donjon.attestation.RejectReason;
import dev.donjon.attestation.VerificationException;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * Checks one piece of AMD KDS collateral on its own, as a collateral cache must before it keeps or serves it: a
 * product's {@code cert_chain} (ASK or ASVK + ARK, the ARK one of AMD's pinned ARKs), the ARK's CRL, a VCEK under the
 * ASK. Every signature is RSASSA-PSS/SHA-384 as AMD makes them. The report verification still judges every piece again.
 * Only the anchors given are trusted: {@link SnpTrustAnchors#amd()} for a cache of AMD's KDS (a simulated root only in tests).
 */
public final class KdsCollateral {

    /**
     * A piece that passed.
     *
     * @param subject    one line naming it, e.g. {@code AMD Milan cert_chain (ASK + ARK)}
     * @param nextUpdate when it must be replaced: the CRL's nextUpdate, the earliest notAfter of certificates
     */
    public record Checked(String subject, Instant issued, Instant nextUpdate) {}

    private final SnpTrustAnchors trust;

    public KdsCollateral(SnpTrustAnchors trust) {
        this.trust = trust;
    }

    /** A checked ARK and the CA (ASK or ASVK) it signed. */
    private record Chain(X509CertificateHolder ca, X509CertificateHolder ark) {}

    /** {@code /vcek/v1/{product}/cert_chain} (or the VLEK one): PEM with the ASK (ASVK) and the ARK of {@code product}. */
    public Checked certChain(ProductLine product, byte[] pem, Instant now) throws VerificationException {
        Chain c = chain(product, pem, now);
        Instant issued =
                later(c.ca().getNotBefore().toInstant(), c.ark().getNotBefore().toInstant());
        Instant next =
                earlier(c.ca().getNotAfter().toInstant(), c.ark().getNotAfter().toInstant());
        return new Checked(
                "AMD " + product.kdsName() + " cert_chain (" + AmdChainValidator.cn(c.ca()) + " + "
                        + AmdChainValidator.cn(c.ark()) + ")",
                issued,
                next);
    }

    /** {@code /vcek/v1/{product}/crl}: the CRL the ARK of the (already checked) {@code certChainPem} signed. */
    public Checked crl(ProductLine product, byte[] crl, byte[] certChainPem, Instant now) throws VerificationException {
        Chain c = chain(product, certChainPem, now);
        List<X509CRLHolder> crls = CertificateFiles.crls(crl, "AMD " + product.kdsName() + " CRL");
        if (crls.size() != 1)
            throw new MalformedEvidenceException(
                    "AMD " + product.kdsName() + " CRL file holds " + crls.size() + " CRLs, expected 1");
        X509CRLHolder list = crls.getFirst();
        String subject = "AMD " + product.kdsName() + " CRL of '" + AmdChainValidator.cn(c.ark()) + "'";
        if (!list.getIssuer().equals(c.ark().getSubject())) {
            throw new VerificationException(
                    RejectReason.BINDING, subject + " is issued by '" + AmdChainValidator.cn(list.getIssuer()) + "'");
        }
        if (!AmdChainValidator.crlSignedBy(list, c.ark()))
            throw new VerificationException(RejectReason.SIGNATURE, subject + " does not verify under the ARK");
        if (list.getNextUpdate() == null) throw new MalformedEvidenceException(subject + " has no nextUpdate");
        Instant issued = list.getThisUpdate().toInstant();
        Instant next = list.getNextUpdate().toInstant();
        inWindow(subject, issued, next, now);
        return new Checked(subject, issued, next);
    }

    /** A VCEK (DER) fetched for a chip, under the ASK of the (already checked) {@code certChainPem}. */
    public Checked vcek(ProductLine product, byte[] der, byte[] certChainPem, Instant now)
            throws VerificationException {
        Chain c = chain(product, certChainPem, now);
        X509CertificateHolder vcek = CertificateFiles.firstCertificate(der, "VCEK");
        String subject = "AMD " + product.kdsName() + " VCEK (serial 0x"
                + vcek.getSerialNumber().toString(16) + ")";
        if (!vcek.getIssuer().equals(c.ca().getSubject()) || !AmdChainValidator.signedBy(vcek, c.ca())) {
            throw new VerificationException(
                    RejectReason.CHAIN, subject + " is not signed by '" + AmdChainValidator.cn(c.ca()) + "'");
        }
        Instant issued = vcek.getNotBefore().toInstant();
        Instant next = vcek.getNotAfter().toInstant();
        inWindow(subject, issued, next, now);
        return new Checked(subject, issued, next);
    }

    private Chain chain(ProductLine product, byte[] pem, Instant now) throws VerificationException {
        String what = "AMD " + product.kdsName() + " cert_chain";
        List<X509CertificateHolder> certs = CertificateFiles.certificates(pem, what);
        if (certs.size() != 2)
            throw new MalformedEvidenceException(
                    what + " holds " + certs.size() + " certificates, expected the ASK (or ASVK) and the ARK");
        X509CertificateHolder ark = null;
        X509CertificateHolder ca = null;
        for (X509CertificateHolder c : certs) {
            if (c.getSubject().equals(c.getIssuer())) ark = c;
            else ca = c;
        }
        if (ark == null || ca == null)
            throw new MalformedEvidenceException(what + " must hold one self-signed ARK and one CA it signed");
        if (trust.kindOf(ark).isEmpty()) {
            throw new VerificationException(
                    RejectReason.CHAIN,
                    what + ": '" + AmdChainValidator.cn(ark) + "' is not one of AMD's pinned ARKs"
                            + (trust.trustsSimulatedRoots() ? " nor a configured simulated root" : ""));
        }
        if (ProductLine.fromName(AmdChainValidator.cn(ark)).orElse(null) != product) {
            throw new VerificationException(
                    RejectReason.BINDING,
                    what + ": the ARK '" + AmdChainValidator.cn(ark) + "' is not " + product.kdsName() + "'s");
        }
        if (!AmdChainValidator.signedBy(ark, ark))
            throw new VerificationException(
                    RejectReason.SIGNATURE, what + ": the ARK's self-signature does not verify");
        if (!ca.getIssuer().equals(ark.getSubject()) || !AmdChainValidator.signedBy(ca, ark)) {
            throw new VerificationException(
                    RejectReason.CHAIN, what + ": '" + AmdChainValidator.cn(ca) + "' is not signed by the ARK");
        }
        for (X509CertificateHolder c : certs) {
            inWindow(
                    what + " certificate '" + AmdChainValidator.cn(c) + "'",
                    c.getNotBefore().toInstant(),
                    c.getNotAfter().toInstant(),
                    now);
        }
        return new Chain(ca, ark);
    }

    private static void inWindow(String what, Instant from, Instant to, Instant now) throws VerificationException {
        if (now.isBefore(from) || now.isAfter(to)) {
            throw new VerificationException(
                    RejectReason.EXPIRED, what + " is valid " + from + " .. " + to + ", not at " + now);
        }
    }

    private static Instant earlier(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
