package dev.donjon.attestation.intel;

import dev.donjon.attestation.EvidenceInput;
import dev.donjon.attestation.Tee;
import dev.donjon.attestation.TeeVerifier;
import dev.donjon.attestation.VerificationResult;
import java.time.Instant;

/** Intel SGX DCAP: ECDSA quotes (v3, v4, v5) and Enarx SGX keep CSRs. */
public final class SgxVerifier implements TeeVerifier {
    private final IntelQuoteVerifier core = new IntelQuoteVerifier();

    @Override
    public Tee tee() {
        return Tee.SGX;
    }

    @Override
    public VerificationResult verify(EvidenceInput input, Instant now) {
        return core.verify(Tee.SGX, input, now);
    }
}
