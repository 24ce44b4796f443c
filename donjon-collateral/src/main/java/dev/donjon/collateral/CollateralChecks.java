package dev.donjon.collateral;

import dev.donjon.attestation.MalformedEvidenceException;
import dev.donjon.attestation.VerificationException;
import dev.donjon.attestation.intel.PcsCollateral;
import dev.donjon.attestation.snp.KdsCollateral;
import dev.donjon.attestation.snp.SnpTrustAnchors;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/**
 * Verifies an entry with donjon-attestation's checks (Intel: {@link PcsCollateral}, pinned Intel root; AMD:
 * {@link KdsCollateral}, AMD's pinned ARKs) before the cache keeps it and again before it serves it. The cache never
 * holds or hands out a piece that did not pass, whatever the service or the disk gave.
 */
public final class CollateralChecks {

    /** Where an AMD CRL or VCEK finds the checked cert_chain of its product. */
    @FunctionalInterface
    public interface ChainLookup {
        CollateralEntry.Verified certChain(CollateralKey.AmdCertChain key) throws CollateralUnavailableException;
    }

    private final PcsCollateral intel;
    private final KdsCollateral amd;

    /**
     * @param intelRoot the Intel root to pin (DER or PEM); empty: Intel's production root
     * @param amdAnchors AMD's ARKs ({@link SnpTrustAnchors#amd()}); a simulated root only in tests
     */
    public CollateralChecks(Optional<byte[]> intelRoot, SnpTrustAnchors amdAnchors) throws MalformedEvidenceException {
        this.intel = new PcsCollateral(intelRoot);
        this.amd = new KdsCollateral(amdAnchors);
    }

    /** Intel's production root and AMD's ARKs. */
    public static CollateralChecks pinned() {
        try {
            return new CollateralChecks(Optional.empty(), SnpTrustAnchors.amd());
        } catch (MalformedEvidenceException e) {
            throw new IllegalStateException("the bundled Intel root does not parse", e);
        }
    }

    /** @throws VerificationException with a one-line reason naming the piece */
    public CollateralEntry.Verified check(CollateralEntry e, Instant now, ChainLookup chains)
            throws VerificationException, CollateralUnavailableException {
        byte[] body = e.body();
        return switch (e.key()) {
            case CollateralKey.IntelTcbInfo k -> of(e, intel.tcbInfo(k.tee(), k.fmspc(), body, chain(e), now));
            case CollateralKey.IntelQeIdentity k -> of(e, intel.qeIdentity(k.tee(), body, chain(e), now));
            case CollateralKey.IntelPckCrl k -> of(e, intel.pckCrl(k.ca(), body, chain(e), now));
            case CollateralKey.IntelRootCrl k -> of(e, intel.rootCrl(body, now));
            case CollateralKey.AmdCertChain k -> of(e, amd.certChain(k.product(), body, now));
            case CollateralKey.AmdCrl k ->
                of(
                        e,
                        amd.crl(
                                k.product(),
                                body,
                                chains.certChain(new CollateralKey.AmdCertChain(k.product()))
                                        .entry()
                                        .body(),
                                now));
            case CollateralKey.AmdVcek k ->
                of(
                        e,
                        amd.vcek(
                                k.product(),
                                body,
                                chains.certChain(new CollateralKey.AmdCertChain(k.product()))
                                        .entry()
                                        .body(),
                                now));
        };
    }

    private static byte[] chain(CollateralEntry e) throws MalformedEvidenceException {
        return e.issuerChain()
                .orElseThrow(
                        () -> new MalformedEvidenceException(e.key().describe() + " came without its issuer chain"))
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static CollateralEntry.Verified of(CollateralEntry e, PcsCollateral.Checked c) {
        return new CollateralEntry.Verified(e, c.subject(), c.issued(), c.nextUpdate());
    }

    private static CollateralEntry.Verified of(CollateralEntry e, KdsCollateral.Checked c) {
        return new CollateralEntry.Verified(e, c.subject(), c.issued(), c.nextUpdate());
    }
}
