package dev.donjon.collateral;

/**
 * Collateral that appraisal needs is missing, expired, or failed its checks, and no fresh copy can be had. The message
 * is one line that names the piece and why, e.g. {@code the cached SGX TCB Info for FMSPC 00a067110000 expired at
 * 2025-07-19T10:56:11Z and https://pcs.example cannot supply a fresh one: connection refused}.
 */
public class CollateralUnavailableException extends Exception {
    public CollateralUnavailableException(String message) {
        super(message);
    }

    public CollateralUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
