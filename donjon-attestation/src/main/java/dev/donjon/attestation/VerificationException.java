package dev.donjon.attestation;

/**
 * Evidence failed a check. Carries the reason class and a one-line detail that names the problem;
 * never key material or workload bytes.
 */
public class VerificationException extends Exception {
    private final RejectReason reason;

    public VerificationException(RejectReason reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    public VerificationException(RejectReason reason, String detail, Throwable cause) {
        super(detail, cause);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }
}
