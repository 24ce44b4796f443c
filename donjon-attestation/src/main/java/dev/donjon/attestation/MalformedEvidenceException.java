package dev.donjon.attestation;

import dev.donjon.abi.FormatException;

/** The only exception a parser may let out: the input bytes are not what they claim to be. */
public class MalformedEvidenceException extends VerificationException {
    public MalformedEvidenceException(String detail) {
        super(RejectReason.MALFORMED, detail);
    }

    public MalformedEvidenceException(String detail, Throwable cause) {
        super(RejectReason.MALFORMED, detail, cause);
    }

    /** A donjon-abi parser's refusal, with its message unchanged. */
    public MalformedEvidenceException(FormatException e) {
        super(RejectReason.MALFORMED, e.getMessage(), e);
    }
}
