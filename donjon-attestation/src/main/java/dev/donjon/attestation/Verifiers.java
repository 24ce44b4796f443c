package dev.donjon.attestation;

import java.util.EnumMap;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The TEE verifiers found on the class path ({@code META-INF/services/dev.donjon.attestation.TeeVerifier}).
 * Verifier modules register themselves; callers ask by TEE and never name an implementation class.
 */
public final class Verifiers {

    private final Map<Tee, TeeVerifier> byTee;

    private Verifiers(Map<Tee, TeeVerifier> byTee) {
        this.byTee = byTee;
    }

    /** Loads a fresh instance of every registered verifier (fresh: nothing cached from earlier verifications). */
    public static Verifiers load() {
        Map<Tee, TeeVerifier> found = new EnumMap<>(Tee.class);
        for (TeeVerifier v : ServiceLoader.load(TeeVerifier.class, Verifiers.class.getClassLoader())) {
            found.putIfAbsent(v.tee(), v);
        }
        return new Verifiers(found);
    }

    /** The verifier for {@code tee}; fails with a one-line message when none is registered. */
    public TeeVerifier forTee(Tee tee) {
        TeeVerifier v = byTee.get(tee);
        if (v == null) {
            throw new IllegalStateException("no " + tee.wireName()
                    + " verifier is registered (no TeeVerifier provider for " + tee.wireName() + " on the class path)");
        }
        return v;
    }

    public boolean has(Tee tee) {
        return byTee.containsKey(tee);
    }
}
