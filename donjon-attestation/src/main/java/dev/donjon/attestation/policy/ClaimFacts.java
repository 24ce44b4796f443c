package dev.donjon.attestation.policy;

import dev.donjon.attestation.Claims;

/** Extracts {@link PolicyFacts} from a verifier's typed claims. */
public final class ClaimFacts {

    private ClaimFacts() {}

    public static PolicyFacts of(Claims claims) {
        throw new UnsupportedOperationException("policy evaluation of " + claims.tee().wireName()
                + " claims is not supported yet (" + claims.getClass().getSimpleName() + ")");
    }
}
