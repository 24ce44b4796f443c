package dev.donjon.attestation;

/** For fuzz targets: runs a step and swallows only the designed refusals; anything else escapes and is a finding. */
public final class Refusals {

    private Refusals() {}

    /** A parse or verification step; its declared exception is the only refusal it may give. */
    public interface Step<E extends VerificationException> {
        void run() throws E;
    }

    /** Runs {@code step}; its declared {@link VerificationException} (subclass) is the designed outcome, ignored. */
    public static <E extends VerificationException> void allowRefusal(Step<E> step) {
        try {
            step.run();
        } catch (VerificationException designed) {
            // malformed, or a verification refusal of any reason class: what the input deserves
        }
    }
}
