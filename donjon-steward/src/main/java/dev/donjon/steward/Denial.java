package dev.donjon.steward;

/** Carries a refusing {@link Enrollment} out of the checks that found it. */
public final class Denial extends Exception {

    private final transient Enrollment verdict;

    Denial(Enrollment verdict) {
        super(verdict.toString(), null, false, false); // no stack trace: a refusal is not a bug
        if (verdict instanceof Enrollment.Issued)
            throw new IllegalArgumentException("an issued enrollment is not a denial");
        this.verdict = verdict;
    }

    static Denial malformed(String reason) {
        return new Denial(new Enrollment.Malformed(reason));
    }

    static Denial noAttestation(String cause, String reason) {
        return new Denial(new Enrollment.NoAttestation(cause, reason));
    }

    static Denial refused(String rule, String reason) {
        return new Denial(new Enrollment.Refused(rule, reason));
    }

    public Enrollment verdict() {
        return verdict;
    }
}
