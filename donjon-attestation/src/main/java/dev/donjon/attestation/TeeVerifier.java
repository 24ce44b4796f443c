package dev.donjon.attestation;

import java.time.Instant;

/**
 * Verifies evidence of one TEE family: parse, then signatures, chains, CRLs and collateral, all judged at {@code now}
 * (never the wall clock, so real but expired collateral can be checked). No policy is applied here.
 * Implementations must not throw: every failure, including malformed input, is a {@link VerificationResult.Rejected}.
 */
public interface TeeVerifier {

    Tee tee();

    VerificationResult verify(EvidenceInput input, Instant now);
}
