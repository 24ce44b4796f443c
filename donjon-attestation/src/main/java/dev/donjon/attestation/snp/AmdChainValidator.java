package dev.donjon.attestation.snp;

import dev.donjon.abi.FormatException;
import dev.donjon.abi.snp.KdsExtensions;
import dev.donjon.abi.snp.ProductLine;
import dev.donjon.abi.snp.SigningKey;
import dev.donjon.attestation.MalformedEvidenceException;
import dev.donjon.attestation.RejectReason;
import dev.donjon.attestation.VerificationException;
import dev.donjon.attestation.crypto.SignatureProviders;
import dev.donjon.common.OneLine;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;

/**
 * Validates VCEK -> ASK -> ARK or VLEK -> ASVK -> ARK: the issuer of each certificate is chosen among the candidates by
 * subject name and by signature (RSASSA-PSS/SHA-384), the only trust anchor is a self-signed ARK from the pinned
 * bundle that is also one of the {@link SnpTrustAnchors} (AMD's ARKs, or a simulated root only when configured), and
 * CRLs issued by a CA of the chain must verify and must not list a chain certificate.
 * Successful validations are memoized by the SHA-256 of every input byte, before any of them is parsed; the clock-dependent checks are left to
 * {@link ValidatedChain#checkValidAt}, so a memoized chain is still judged at each call's instant.
 */
public final class AmdChainValidator {

    private static final int MEMO_LIMIT = 1024;

    private final Map<String, ValidatedChain> memo = new ConcurrentHashMap<>();
    private final SnpTrustAnchors trust;
    private volatile PinnedDigest lastPinned;

    /** Trusts AMD's ARKs only. */
    public AmdChainValidator() {
        this(SnpTrustAnchors.amd());
    }

    public AmdChainValidator(SnpTrustAnchors trust) {
        this.trust = trust;
    }

    /** Forgets memoized chains (benchmarks measure the cold path with it). */
    public void clear() {
        memo.clear();
    }

    /** The certificates and CRLs a chain is built from, as parsed from the bytes that name its memo entry. */
    record Endorsements(X509CertificateHolder leaf, List<X509CertificateHolder> carriedCas, List<X509CRLHolder> crls) {}

    /** Parses the endorsements; called only when their exact bytes have not been validated before. */
    @FunctionalInterface
    interface EndorsementParser {
        Endorsements parse() throws VerificationException;
    }

    /**
     * @param exactBytes every byte the endorsements are parsed from (in a fixed order): equal bytes parse to equal
     *                   endorsements, so a memoized chain is found without parsing them again
     */
    ValidatedChain validate(
            SigningKey signingKey, byte[] pinnedBundle, List<byte[]> exactBytes, EndorsementParser parser)
            throws VerificationException {
        String key = memoKey(signingKey, pinnedBundle, exactBytes);
        ValidatedChain known = memo.get(key);
        if (known != null) return known;
        Endorsements e = parser.parse();
        ValidatedChain fresh = build(e.leaf(), signingKey, pinnedBundle, e.carriedCas(), e.crls());
        if (memo.size() >= MEMO_LIMIT) memo.clear();
        memo.put(key, fresh);
        return fresh;
    }

    private ValidatedChain build(
            X509CertificateHolder leaf,
            SigningKey signingKey,
            byte[] pinnedBundle,
            List<X509CertificateHolder> carriedCas,
            List<X509CRLHolder> crls)
            throws VerificationException {
        String leafName = signingKey.name();
        List<X509CertificateHolder> pinned = CertificateFiles.certificates(pinnedBundle, "amd_chain");
        List<X509CertificateHolder> anchors = new ArrayList<>();
        List<X509CertificateHolder> intermediates = new ArrayList<>();
        List<X509CertificateHolder> untrusted = new ArrayList<>();
        for (X509CertificateHolder c : pinned) {
            if (c.getSubject().equals(c.getIssuer())) {
                if (!signedBy(c, c)) continue;
                if (trust.kindOf(c).isPresent()) anchors.add(c);
                else untrusted.add(c);
            } else {
                intermediates.add(c);
            }
        }
        if (anchors.isEmpty() && !untrusted.isEmpty()) {
            throw new VerificationException(
                    RejectReason.CHAIN,
                    "amd_chain's ARK '" + cn(untrusted.getFirst()) + "' is not one of AMD's ARKs"
                            + (trust.trustsSimulatedRoots()
                                    ? " nor a configured simulated root"
                                    : " (a simulated root is trusted only when configured)"));
        }
        if (anchors.isEmpty())
            throw new VerificationException(RejectReason.CHAIN, "amd_chain holds no self-signed ARK");
        for (X509CertificateHolder c : carriedCas) {
            if (c.getSubject().equals(c.getIssuer())) {
                if (anchors.stream().noneMatch(a -> Arrays.equals(der(a), der(c)))) {
                    throw new VerificationException(
                            RejectReason.CHAIN, "the evidence's ARK '" + cn(c) + "' is not the pinned ARK");
                }
            } else {
                intermediates.add(c);
            }
        }

        X509CertificateHolder issuer = null;
        X509CertificateHolder root = null;
        boolean issuerNamed = false;
        for (X509CertificateHolder candidate : intermediates) {
            if (!candidate.getSubject().equals(leaf.getIssuer()) || !rightKind(candidate, signingKey)) continue;
            issuerNamed = true;
            if (!signedBy(leaf, candidate)) continue;
            for (X509CertificateHolder anchor : anchors) {
                if (anchor.getSubject().equals(candidate.getIssuer()) && signedBy(candidate, anchor)) {
                    issuer = candidate;
                    root = anchor;
                    break;
                }
            }
            if (issuer != null) break;
        }
        String caName = signingKey == SigningKey.VLEK ? "ASVK" : "ASK";
        if (issuer == null) {
            throw new VerificationException(
                    RejectReason.CHAIN,
                    issuerNamed
                            ? "the " + leafName + " is not signed by an " + caName + " named '" + cn(leaf.getIssuer())
                                    + "' that chains to a pinned ARK"
                            : "the " + leafName + "'s issuer '" + cn(leaf.getIssuer()) + "' is not an " + caName
                                    + " in amd_chain");
        }

        List<ValidatedChain.Window> windows = new ArrayList<>();
        windows.add(window(leafName, leaf));
        windows.add(window(caName + " '" + cn(issuer) + "'", issuer));
        windows.add(window("ARK '" + cn(root) + "'", root));
        List<X509CertificateHolder> chain = List.of(leaf, issuer, root);
        for (X509CRLHolder crl : crls) {
            X509CertificateHolder crlIssuer = crl.getIssuer().equals(root.getSubject())
                    ? root
                    : crl.getIssuer().equals(issuer.getSubject()) ? issuer : null;
            if (crlIssuer == null) continue; // not about this chain
            String what = "CRL of '" + cn(crlIssuer) + "'";
            if (!crlSignedBy(crl, crlIssuer))
                throw new VerificationException(RejectReason.CHAIN, what + " does not verify under its issuer");
            for (X509CertificateHolder c : chain) {
                if (c.getIssuer().equals(crlIssuer.getSubject())
                        && c != root
                        && crl.getRevokedCertificate(c.getSerialNumber()) != null) {
                    throw new VerificationException(
                            RejectReason.REVOKED,
                            "'" + cn(c) + "' (serial 0x" + c.getSerialNumber().toString(16) + ") is revoked by the "
                                    + what);
                }
            }
            windows.add(new ValidatedChain.Window(
                    what,
                    crl.getThisUpdate().toInstant(),
                    Optional.ofNullable(crl.getNextUpdate()).map(java.util.Date::toInstant)));
        }
        boolean simulated = trust.kindOf(root).orElseThrow() == SnpTrustAnchors.Kind.SIMULATED;
        return new ValidatedChain(
                ReportSignature.p384Key(leaf.getSubjectPublicKeyInfo(), leafName),
                signingKey,
                kdsExtensions(leaf),
                ProductLine.fromName(cn(root)),
                windows,
                simulated);
    }

    /** A VLEK is issued only by an ASVK ("SEV-VLEK-Milan"), a VCEK only by an ASK ("SEV-Milan"). */
    private static boolean rightKind(X509CertificateHolder ca, SigningKey signingKey) {
        boolean asvk = cn(ca).toUpperCase(Locale.ROOT).contains("VLEK");
        return asvk == (signingKey == SigningKey.VLEK);
    }

    static boolean signedBy(X509CertificateHolder cert, X509CertificateHolder issuer) {
        if (!isPssSha384(cert.getSignatureAlgorithm())) return false;
        try {
            return cert.isSignatureValid(verifier(issuer));
        } catch (Exception e) {
            return false;
        }
    }

    static boolean crlSignedBy(X509CRLHolder crl, X509CertificateHolder issuer) {
        try {
            return crl.isSignatureValid(verifier(issuer));
        } catch (Exception e) {
            return false;
        }
    }

    private static ContentVerifierProvider verifier(X509CertificateHolder issuer) throws Exception {
        return new JcaContentVerifierProviderBuilder()
                .setProvider(SignatureProviders.bouncyCastle())
                .build(issuer.getSubjectPublicKeyInfo());
    }

    private static boolean isPssSha384(AlgorithmIdentifier algorithm) {
        if (!PKCSObjectIdentifiers.id_RSASSA_PSS.equals(algorithm.getAlgorithm())) return false;
        try {
            ASN1ObjectIdentifier hash = RSASSAPSSparams.getInstance(algorithm.getParameters())
                    .getHashAlgorithm()
                    .getAlgorithm();
            return NISTObjectIdentifiers.id_sha384.equals(hash);
        } catch (RuntimeException malformed) {
            // BouncyCastle decodes the parameters only now, and throws on malformed ones (found by fuzzing): not
            // PSS/SHA-384
            return false;
        }
    }

    private static ValidatedChain.Window window(String what, X509CertificateHolder cert) {
        return new ValidatedChain.Window(
                what,
                cert.getNotBefore().toInstant(),
                Optional.of(cert.getNotAfter().toInstant()));
    }

    static String cn(X509CertificateHolder cert) {
        return cn(cert.getSubject());
    }

    static String cn(X500Name name) {
        try {
            RDN[] rdns = name.getRDNs(BCStyle.CN);
            return rdns.length == 0
                    ? name.toString()
                    : IETFUtils.valueToString(rdns[0].getFirst().getValue());
        } catch (RuntimeException malformed) {
            // the name's strings are decoded only now (invalid UTF-8 throws, found by fuzzing); the name is only for
            // messages
            return "(undecodable name)";
        }
    }

    private static byte[] der(X509CertificateHolder cert) {
        try {
            return cert.getEncoded();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("re-encoding a parsed certificate failed", e);
        }
    }

    private String memoKey(SigningKey signingKey, byte[] pinnedBundle, List<byte[]> exactBytes)
            throws MalformedEvidenceException {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update((byte) signingKey.ordinal());
            sha256.update(pinnedDigest(pinnedBundle));
            for (byte[] bytes : exactBytes) part(sha256, bytes);
            return java.util.HexFormat.of().formatHex(sha256.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new MalformedEvidenceException("cannot fingerprint the endorsements: " + OneLine.of(e));
        }
    }

    /** A server passes the same pinned bundle every time: comparing it with a copy is far cheaper than hashing it. */
    private byte[] pinnedDigest(byte[] pinnedBundle) throws NoSuchAlgorithmException {
        PinnedDigest last = lastPinned;
        if (last != null && Arrays.equals(last.bundle(), pinnedBundle)) return last.digest();
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(pinnedBundle);
        lastPinned = new PinnedDigest(pinnedBundle.clone(), digest);
        return digest;
    }

    private record PinnedDigest(byte[] bundle, byte[] digest) {}

    private static void part(MessageDigest md, byte[] bytes) {
        int n = bytes.length;
        md.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        md.update(bytes);
    }

    static KdsExtensions kdsExtensions(X509CertificateHolder leaf) throws MalformedEvidenceException {
        try {
            return KdsExtensions.of(leaf);
        } catch (FormatException e) {
            throw new MalformedEvidenceException(e);
        }
    }
}
