package dev.donjon.steward;

import dev.donjon.abi.csr.KeepCsr;
import dev.donjon.attestation.TcbStatus;
import dev.donjon.attestation.TeeVerifier;
import dev.donjon.attestation.VerificationResult;
import dev.donjon.attestation.policy.ClaimFacts;
import dev.donjon.attestation.policy.Policy;
import dev.donjon.attestation.policy.PolicyDecision;
import dev.donjon.attestation.policy.PolicyFacts;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.bouncycastle.asn1.x509.Extension;

/**
 * Evidence a donjon-attestation verifier checks: {@code reader} unpacks the extension, the verifier checks signatures,
 * chains, CRLs and collateral at the Steward's instant, then the Steward checks the key binding itself (whatever the
 * verifier did) and applies the policy.
 */
record VerifiedEvidence(String name, EvidenceReader reader, TeeVerifier verifier, KeyBinding binding, Policy policy)
        implements EvidenceCheck {

    @Override
    public AttestedKeep check(KeepCsr csr, Extension evidence, Instant now) throws Denial {
        VerificationResult result = verifier.verify(reader.read(csr, evidence), now);
        VerificationResult.Accepted accepted = switch (result) {
            case VerificationResult.Accepted a -> a;
            case VerificationResult.Rejected r ->
                throw switch (r.reason()) {
                    case MALFORMED -> Denial.malformed(name + " evidence: " + r.detail());
                    case TCB_LEVEL, POLICY -> Denial.refused(r.reason().wireName(), name + " evidence: " + r.detail());
                    default ->
                        Denial.noAttestation(r.reason().wireName(), name + " evidence does not verify: " + r.detail());
                };
        };
        binding.check(csr.spkiDer(), csr.nonce(), accepted.claims().reportData());
        PolicyDecision decision = policy.evaluate(accepted);
        if (decision instanceof PolicyDecision.Reject reject) throw Denial.refused(reject.rule(), reject.message());
        return keep(accepted, ((PolicyDecision.Accept) decision).notes());
    }

    private static AttestedKeep keep(VerificationResult.Accepted a, List<String> notes) {
        String measurement;
        Optional<String> signer;
        switch (ClaimFacts.of(a.claims())) {
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
        // the claims say what the evidence is, whichever OID carried it: simulated evidence is "sim", never "snp"
        String tee = a.claims().simulated() ? "sim" : a.tee().wireName();
        var fields = new TreeMap<>(a.claims().fields());
        fields.put("tee", tee);
        fields.putIfAbsent("report_data", HexFormat.of().formatHex(a.claims().reportData()));
        return new AttestedKeep(
                tee,
                measurement,
                signer,
                a.claims().debug(),
                a.tcbStatus().map(TcbStatus::wireName),
                a.advisories(),
                fields,
                Optional.empty(),
                notes);
    }
}
