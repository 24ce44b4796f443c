package dev.donjon.steward;

import dev.donjon.attestation.Container;
import dev.donjon.attestation.Endorsements;
import dev.donjon.attestation.EvidenceInput;
import dev.donjon.attestation.Tee;
import dev.donjon.attestation.TeeVerifier;
import dev.donjon.attestation.VerificationResult;
import dev.donjon.attestation.policy.ClaimFacts;
import dev.donjon.attestation.policy.Policy;
import dev.donjon.attestation.policy.PolicyDecision;
import dev.donjon.attestation.policy.PolicyFacts;
import dev.donjon.attestation.TcbStatus;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Supplier;
import org.bouncycastle.asn1.x509.Extension;

/**
 * Evidence an Enarx-format keep CSR carries and a donjon-attestation verifier checks (SNP and SGX): the verifier gets
 * the whole CSR with the pinned anchors, then the Steward checks the key binding and applies the policy section.
 *
 * @param policy read at each check, so that a reloaded policy applies to the next request
 */
record VerifiedEvidence(String name, Tee tee, TeeVerifier verifier, Endorsements anchors, KeyBinding binding,
                        Supplier<Optional<Policy>> policy) implements EvidenceCheck {

    @Override
    public AttestedKeep check(KeepCsr csr, Extension evidence, Instant now) throws Denial {
        VerificationResult result = verifier.verify(new EvidenceInput(tee, Container.ENARX_CSR, csr.der(), anchors), now);
        VerificationResult.Accepted accepted = switch (result) {
            case VerificationResult.Accepted a -> a;
            case VerificationResult.Rejected r -> throw switch (r.reason()) {
                case MALFORMED -> Denial.malformed(name + " evidence: " + r.detail());
                case TCB_LEVEL, POLICY -> Denial.refused(r.reason().wireName(), name + " evidence: " + r.detail());
                default -> Denial.noAttestation(r.reason().wireName(), name + " evidence does not verify: " + r.detail());
            };
        };
        binding.check(csr.spkiDer(), accepted.claims().reportData());
        Policy p = policy.get().orElseThrow(() -> Denial.refused(name, "the policy has no [" + name + "] section, so "
                + name + " Keeps are not accepted"));
        PolicyDecision decision = p.evaluate(accepted);
        if (decision instanceof PolicyDecision.Reject reject) throw Denial.refused(reject.rule(), reject.message());
        return keep(accepted, ((PolicyDecision.Accept) decision).notes());
    }

    private AttestedKeep keep(VerificationResult.Accepted a, java.util.List<String> notes) {
        HexFormat hex = HexFormat.of();
        PolicyFacts facts = ClaimFacts.of(a.claims());
        String measurement;
        Optional<String> signer;
        switch (facts) {
            case PolicyFacts.Snp s -> {
                measurement = s.measurement();
                signer = s.authorKeyEnabled() ? Optional.of(s.authorKeyDigest()) : Optional.empty();
            }
            case PolicyFacts.Sgx s -> {
                measurement = s.mrEnclave();
                signer = Optional.of(s.mrSigner());
            }
            case PolicyFacts.Tdx t -> {
                measurement = t.mrTd();
                signer = Optional.empty();
            }
        }
        var fields = new java.util.TreeMap<>(a.claims().fields());
        fields.put("tee", name);
        fields.putIfAbsent("report_data", hex.formatHex(a.claims().reportData()));
        return new AttestedKeep(name, measurement, signer, a.claims().debug(), a.tcbStatus().map(TcbStatus::wireName),
                a.advisories(), fields, Optional.empty(), notes);
    }
}
