package dev.donjon.secrets;

import dev.donjon.abi.csr.ClaimsExtension;
import java.security.InvalidAlgorithmParameterException;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Who is asking: the TLS client certificate chain of a request, judged at the broker's clock. It must chain (PKIX,
 * signatures and validity windows) to one of the configured Steward CAs, be meant for client authentication, and carry
 * the Steward's claims extension. The TLS layer has already checked that the client holds the certificate's key; the
 * chain is judged here, on every request, so that every refusal can be answered and audited with its reason.
 */
final class KeepCertificate {

    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String ANY_EKU = "2.5.29.37.0";

    /** The outcome: a Keep with its claims, or why not (with the leaf, when there was one, for the audit). */
    sealed interface Result {
        record Attested(X509Certificate leaf, ClaimsExtension claims) implements Result {}

        record Rejected(String reason, Optional<X509Certificate> leaf) implements Result {}
    }

    private final Set<TrustAnchor> anchors = new HashSet<>();

    KeepCertificate(List<X509Certificate> stewardCas) {
        if (stewardCas.isEmpty())
            throw new IllegalArgumentException("the broker needs at least one Steward CA certificate");
        for (X509Certificate ca : stewardCas) anchors.add(new TrustAnchor(ca, null));
    }

    Result judge(Optional<Certificate[]> peer, Instant now) {
        if (peer.isEmpty() || peer.get().length == 0) {
            return new Result.Rejected(
                    "no client certificate: present the certificate your Steward issued", Optional.empty());
        }
        List<X509Certificate> chain = new ArrayList<>();
        for (Certificate c : peer.get()) {
            if (!(c instanceof X509Certificate x))
                return new Result.Rejected("the client certificate is not X.509", Optional.empty());
            chain.add(x);
        }
        X509Certificate leaf = chain.getFirst();
        Optional<X509Certificate> who = Optional.of(leaf);
        if (now.isAfter(leaf.getNotAfter().toInstant())) {
            return new Result.Rejected(
                    "the client certificate expired at " + leaf.getNotAfter().toInstant()
                            + " (enroll with the Steward again)",
                    who);
        }
        if (now.isBefore(leaf.getNotBefore().toInstant())) {
            return new Result.Rejected(
                    "the client certificate is not valid before "
                            + leaf.getNotBefore().toInstant(),
                    who);
        }
        try {
            // the anchors themselves do not belong in the path
            List<X509Certificate> path = new ArrayList<>(chain);
            path.removeIf(c -> anchors.stream().anyMatch(a -> a.getTrustedCert().equals(c)));
            if (path.isEmpty())
                return new Result.Rejected("the client presented the Steward CA's own certificate", who);
            PKIXParameters p = new PKIXParameters(anchors);
            p.setRevocationEnabled(false); // Steward certificates are short-lived and carry no CRL distribution point
            p.setDate(Date.from(now));
            CertPathValidator.getInstance("PKIX")
                    .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), p);
        } catch (CertPathValidatorException e) {
            return new Result.Rejected(why(e, leaf), who);
        } catch (java.security.cert.CertificateException
                | NoSuchAlgorithmException
                | InvalidAlgorithmParameterException e) {
            return new Result.Rejected("the client certificate chain cannot be checked: " + e.getMessage(), who);
        }
        try {
            List<String> eku = leaf.getExtendedKeyUsage();
            if (eku != null && !eku.contains(CLIENT_AUTH) && !eku.contains(ANY_EKU)) {
                return new Result.Rejected(
                        "the client certificate is not for client authentication (extended key usage)", who);
            }
        } catch (CertificateParsingException e) {
            return new Result.Rejected("the client certificate's extended key usage does not parse", who);
        }
        Optional<ClaimsExtension> claims;
        try {
            claims = ClaimsExtension.from(leaf);
        } catch (IllegalArgumentException e) {
            return new Result.Rejected(e.getMessage(), who);
        }
        if (claims.isEmpty())
            return new Result.Rejected(
                    "the client certificate carries no attestation claims (it was not issued to an attested Keep)",
                    who);
        return new Result.Attested(leaf, claims.get());
    }

    private static String why(CertPathValidatorException e, X509Certificate leaf) {
        if (e.getReason() == CertPathValidatorException.BasicReason.EXPIRED)
            return "a certificate of the client's chain has expired";
        if (e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID)
            return "a certificate of the client's chain is not valid yet";
        String head = "the client certificate (issuer "
                + leaf.getIssuerX500Principal().getName() + ") does not chain to the configured Steward CA";
        if (e.getReason() == CertPathValidatorException.BasicReason.INVALID_SIGNATURE)
            return head + ": a signature does not verify";
        return head;
    }
}
