package dev.donjon.host.client;

import dev.donjon.attestation.Container;
import dev.donjon.attestation.Endorsements;
import dev.donjon.attestation.EvidenceInput;
import dev.donjon.attestation.MalformedEvidenceException;
import dev.donjon.attestation.Tee;
import dev.donjon.attestation.TeeVerifier;
import dev.donjon.attestation.VerificationResult;
import dev.donjon.attestation.Verifiers;
import dev.donjon.attestation.policy.PolicyDecision;
import dev.donjon.attestation.snp.AmdChainValidator;
import dev.donjon.attestation.snp.SnpTrustAnchors;
import dev.donjon.attestation.snp.SnpVerifier;
import dev.donjon.collateral.CollateralService;
import dev.donjon.collateral.CollateralUnavailableException;
import dev.donjon.host.protocol.KeepBinding;
import dev.donjon.host.protocol.KeepEvidence;
import dev.donjon.host.protocol.KeepOffer;
import dev.donjon.platform.sim.RuntimeMeasurement;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides whether a Keep may receive the package: the evidence is genuine (the verifiers: signatures, chain to a
 * pinned root, TCB), it binds this Keep's key to this deployment's nonce (so it is fresh and not another Keep's), the
 * TEE is not in debug mode, and the measurement and policy are the owner's. Refuses by default: an unknown backend,
 * missing evidence, or a check it cannot make is a refusal.
 */
public final class KeepAppraiser {

    static final String INSECURE_NIL = "INSECURE: this Keep runs on the nil backend — no TEE, no attestation. "
            + "The host can read and change the workload, its configuration and its secrets.";
    static final String INSECURE_SIM =
            "INSECURE: this Keep runs on the sim backend — a SIMULATED TEE whose evidence is "
                    + "signed by a locally generated key. It proves nothing about the host.";

    private final TrustOptions trust;
    private final Verifiers verifiers;
    private final Clock clock;

    /** @param verifiers for TEEs other than SEV-SNP, whose verifier is made here from {@code trust}'s anchors */
    public KeepAppraiser(TrustOptions trust, Verifiers verifiers, Clock clock) {
        this.trust = trust;
        this.verifiers = verifiers;
        this.clock = clock;
    }

    public KeepAppraiser(TrustOptions trust, Clock clock) {
        this(trust, Verifiers.load(), clock);
    }

    /** AMD's ARKs always; the sim root too, but only when insecure backends are allowed (its claims then say SIMULATED). */
    private TeeVerifier snpVerifier() throws MalformedEvidenceException {
        SnpTrustAnchors anchors = SnpTrustAnchors.amd();
        if (trust.allowInsecure() && trust.simChain().isPresent())
            anchors = anchors.withSimulatedRoots(trust.simChain().get());
        return new SnpVerifier(new AmdChainValidator(anchors));
    }

    public Appraisal appraise(KeepOffer offer, byte[] nonce) {
        List<String> warnings = new ArrayList<>();
        Optional<KeepEvidence> evidence = offer.evidence();
        if (evidence.isEmpty()) {
            if (!offer.backend().equals("nil")) {
                return new Appraisal.Refused("the Keep says it runs on " + offer.backend() + " but sent no evidence");
            }
            if (!trust.allowInsecure()) {
                return new Appraisal.Refused(
                        "the Keep runs on the nil backend (no TEE, no attestation), so the host could read "
                                + "the workload; refusing (pass --allow-insecure-backend to deploy to it anyway)");
            }
            if (trust.expectedMeasurement().isPresent() || trust.policy().isPresent()) {
                return new Appraisal.Refused(
                        "a measurement or policy was required, but a nil Keep has no evidence to check it against");
            }
            warnings.add(INSECURE_NIL);
            return new Appraisal.Trusted("nil backend, not attested", warnings);
        }
        if (offer.backend().equals("sim")) {
            if (!trust.allowInsecure()) {
                return new Appraisal.Refused(
                        "the Keep runs on the sim backend (a simulated TEE: its evidence proves nothing); "
                                + "refusing (pass --allow-insecure-backend to deploy to it anyway)");
            }
            warnings.add(INSECURE_SIM);
        }
        return appraiseEvidence(offer, evidence.get(), nonce, warnings);
    }

    /** What the evidence alone establishes, before the nonce binding, debug mode and the owner's pins are judged. */
    private sealed interface Verdict {
        record Verified(Tee tee, VerificationResult.Accepted accepted) implements Verdict {}

        record Refused(String reason) implements Verdict {}
    }

    /**
     * The evidence alone: genuine (signatures, chains to the pinned roots, CRLs, and for SGX and TDX the TCB Info and QE
     * Identity from the collateral cache). The nonce binding, debug mode and the owner's measurement or policy are
     * judged by {@link #appraise}, which calls this first.
     */
    public Appraisal verifyEvidence(KeepEvidence ev) {
        return switch (verdict(ev)) {
            case Verdict.Refused r -> new Appraisal.Refused(r.reason());
            case Verdict.Verified v ->
                new Appraisal.Trusted(
                        v.tee().wireName() + " evidence verified"
                                + v.accepted()
                                        .tcbStatus()
                                        .map(st -> ", TCB " + st.wireName())
                                        .orElse(""),
                        List.of());
        };
    }

    private Verdict verdict(KeepEvidence ev) {
        Tee tee;
        Container container;
        try {
            tee = Tee.fromWireName(ev.tee());
            container = Container.fromWireName(ev.container());
        } catch (IllegalArgumentException e) {
            return new Verdict.Refused("the Keep's evidence is of an unknown kind: " + e.getMessage());
        }
        TeeVerifier verifier;
        try {
            if (tee == Tee.SNP) verifier = snpVerifier();
            else if (verifiers.has(tee)) verifier = verifiers.forTee(tee);
            else return new Verdict.Refused("no verifier for " + tee.wireName() + " evidence is available");
        } catch (MalformedEvidenceException e) {
            return new Verdict.Refused("the sim chain given to trust is unusable: " + e.getMessage());
        }
        Endorsements endorsements;
        try {
            endorsements = endorsements(tee, container, ev);
        } catch (CollateralUnavailableException e) {
            return new Verdict.Refused("cannot appraise the Keep's " + tee.wireName() + " evidence: " + e.getMessage());
        }
        VerificationResult result =
                verifier.verify(new EvidenceInput(tee, container, ev.evidence(), endorsements), clock.instant());
        if (result instanceof VerificationResult.Rejected r) {
            return new Verdict.Refused("the Keep's " + tee.wireName() + " evidence was rejected ("
                    + r.reason().wireName() + "): " + r.detail());
        }
        return new Verdict.Verified(tee, (VerificationResult.Accepted) result);
    }

    private Appraisal appraiseEvidence(KeepOffer offer, KeepEvidence ev, byte[] nonce, List<String> warnings) {
        Tee tee;
        VerificationResult.Accepted accepted;
        switch (verdict(ev)) {
            case Verdict.Refused r -> {
                return new Appraisal.Refused(r.reason());
            }
            case Verdict.Verified v -> {
                tee = v.tee();
                accepted = v.accepted();
            }
        }
        byte[] expected = KeepBinding.reportData(offer.publicKey(), nonce);
        if (!MessageDigest.isEqual(expected, accepted.claims().reportData())) {
            return new Appraisal.Refused("the evidence does not bind this Keep's public key to this deployment's nonce "
                    + "(replayed, stale or another Keep's evidence)");
        }
        if (accepted.claims().debug()) {
            return new Appraisal.Refused("the Keep's TEE runs in debug mode: the host can read its memory");
        }
        boolean simulated = accepted.claims().simulated();
        if (simulated && !trust.allowInsecure()) {
            return new Appraisal.Refused("the evidence is SIMULATED (not signed under a TEE vendor's root); refusing");
        }
        if (simulated && !offer.backend().equals("sim")) {
            warnings.add("the Keep says it runs on " + offer.backend() + " but its evidence is SIMULATED");
            if (!warnings.contains(INSECURE_SIM)) warnings.add(INSECURE_SIM);
        }
        String measurement = accepted.claims().fields().getOrDefault("measurement", "");
        if (trust.expectedMeasurement().isPresent()) {
            String want = trust.expectedMeasurement().get().toLowerCase(Locale.ROOT);
            if (!want.equals(measurement)) {
                return new Appraisal.Refused("the Keep's measurement " + measurement + " is not the expected " + want);
            }
        }
        if (trust.policy().isPresent()) {
            PolicyDecision d = trust.policy().get().evaluate(accepted);
            if (d instanceof PolicyDecision.Reject r)
                return new Appraisal.Refused("the policy refuses the Keep: " + r.message());
        } else if (trust.expectedMeasurement().isEmpty()) {
            if (!simulated) {
                return new Appraisal.Refused(
                        "no --policy or --expect-measurement given: refusing to trust a Keep runtime nobody pinned");
            }
            // a sim Keep measures the Donjon runtime it runs: by default it must be this very build
            String own = HexFormat.of().formatHex(RuntimeMeasurement.ofThisProcess());
            if (!own.equals(measurement)) {
                return new Appraisal.Refused("the sim Keep's measurement " + measurement
                        + " is not this Donjon build's " + own + " (pass --expect-measurement to pin another build)");
            }
        }
        return new Appraisal.Trusted(
                tee.wireName() + (simulated ? " (SIMULATED)" : "")
                        + " evidence verified, key bound to our nonce, measurement " + measurement
                        + accepted.tcbStatus()
                                .map(st -> ", TCB " + st.wireName())
                                .orElse(""),
                warnings);
    }

    /**
     * Certificates the Keep sent are candidates only; the root that makes them trusted is the client's own. SGX and TDX
     * quotes are judged with collateral from the cache (never from the host), and without a cache they are refused.
     */
    private Endorsements endorsements(Tee tee, Container container, KeepEvidence ev)
            throws CollateralUnavailableException {
        Optional<byte[]> carried = ev.endorsements().length == 0 ? Optional.empty() : Optional.of(ev.endorsements());
        if (tee == Tee.SNP) {
            // candidate CAs: the owner's AMD chain, else the sim chain (only an anchor if trusted), else what the Keep
            // sent
            Optional<byte[]> chain = trust.amdChain()
                    .or(() -> trust.allowInsecure() ? trust.simChain() : Optional.empty())
                    .or(() -> carried);
            List<byte[]> crls =
                    trust.collateral().map(CollateralService::cachedAmdCrls).orElse(List.of());
            return new Endorsements(carried, Optional.empty(), chain, crls, Optional.empty(), Optional.empty());
        }
        if (container != Container.INTEL_QUOTE) return Endorsements.none();
        CollateralService cache = trust.collateral()
                .orElseThrow(
                        () -> new CollateralUnavailableException(
                                "no Intel collateral source is configured (TCB Info, QE Identity and CRLs come from the collateral cache)"));
        return new Endorsements(
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of(),
                Optional.of(cache.forQuote(ev.evidence())),
                Optional.empty());
    }
}
