package dev.donjon.attestation.snp;

import dev.donjon.attestation.MalformedEvidenceException;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * The roots an SEV-SNP endorsement chain may end in. {@link #amd()} (the default everywhere) trusts AMD's ARKs only,
 * pinned by the SHA-256 of their DER: an {@code amd_chain} whose ARK is anything else is refused. A simulated root
 * (the {@code sim} platform's locally generated ARK, or a test PKI) is trusted only when added with
 * {@link #withSimulatedRoots}, and evidence that chains to it is marked simulated in its claims, never passed off as AMD's.
 */
public final class SnpTrustAnchors {

    /** Which kind of anchor a root is. */
    public enum Kind {
        AMD,
        SIMULATED
    }

    /** AMD KDS ARKs (as served by kdsintf.amd.com/vcek/v1/{product}/cert_chain): SHA-256 of the DER. */
    private static final Map<String, String> AMD_ARKS = Map.of(
            "69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd", "ARK-Milan",
            "4c6598d19c18719c5dfd4a7d335f674e5bfe1d8f800cea2cf270c10d103db2f1", "ARK-Genoa",
            "1f084161a44bb6d93778a904877d4819cafa5d05ef4193b2ded9dd9c73dd3f6a", "ARK-Turin");

    private static final SnpTrustAnchors AMD = new SnpTrustAnchors(Set.of());

    private final Set<String> simulated;

    private SnpTrustAnchors(Set<String> simulated) {
        this.simulated = Set.copyOf(simulated);
    }

    /** AMD's ARKs for Milan, Genoa and Turin, nothing else. */
    public static SnpTrustAnchors amd() {
        return AMD;
    }

    /**
     * These anchors plus the self-issued certificates (ARKs) in {@code pemOrDer} as simulated roots; other certificates
     * in it (a sim ASK) are ignored here, they come with the evidence's chain. Only for the {@code sim} platform and
     * tests: evidence under such a root proves nothing about hardware, and says so.
     */
    public SnpTrustAnchors withSimulatedRoots(byte[] pemOrDer) throws MalformedEvidenceException {
        Set<String> more = new HashSet<>(simulated);
        boolean found = false;
        for (X509CertificateHolder c : CertificateFiles.certificates(pemOrDer, "simulated root")) {
            if (!c.getSubject().equals(c.getIssuer())) continue;
            found = true;
            String fp = fingerprint(c);
            if (AMD_ARKS.containsKey(fp)) {
                throw new MalformedEvidenceException(
                        "'" + AMD_ARKS.get(fp) + "' is AMD's own ARK, not a simulated root");
            }
            more.add(fp);
        }
        if (!found)
            throw new MalformedEvidenceException(
                    "the simulated root file holds no self-issued certificate (the sim ARK)");
        return new SnpTrustAnchors(more);
    }

    /** True when some simulated root is trusted (callers show it, e.g. in a startup warning). */
    public boolean trustsSimulatedRoots() {
        return !simulated.isEmpty();
    }

    /** The kind of anchor {@code root} is, or empty when it is not trusted. */
    public Optional<Kind> kindOf(X509CertificateHolder root) {
        String fp = fingerprint(root);
        if (AMD_ARKS.containsKey(fp)) return Optional.of(Kind.AMD);
        if (simulated.contains(fp)) return Optional.of(Kind.SIMULATED);
        return Optional.empty();
    }

    private static String fingerprint(X509CertificateHolder cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException("cannot fingerprint a parsed certificate", e);
        }
    }
}
