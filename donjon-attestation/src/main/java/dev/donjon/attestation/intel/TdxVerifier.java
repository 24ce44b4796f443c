package dev.donjon.attestation.intel;

import dev.donjon.attestation.EvidenceInput;
import dev.donjon.attestation.Tee;
import dev.donjon.attestation.TeeVerifier;
import dev.donjon.attestation.VerificationResult;
import java.time.Instant;

/** Intel TDX: ECDSA quotes v4 and v5 (TD 1.0 and TD 1.5 bodies). */
public final class TdxVerifier implements TeeVerifier {
    private final IntelQuoteVerifier core = new IntelQuoteVerifier();

    @Override
    public Tee tee() {
        return Tee.TDX;
    }

    @Override
    public VerificationResult verify(EvidenceInput input, Instant now) {
        return core.verify(Tee.TDX, input, now);
    }
}
