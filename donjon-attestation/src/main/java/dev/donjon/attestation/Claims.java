package dev.donjon.attestation;

import java.util.Map;

/**
 * What authentic evidence says about the Keep. Each TEE has its own record (see the implementations);
 * {@link #fields()} gives the values relying parties and reports compare, as lower-case hex or decimal text,
 * under the manifest's field names (measurement, report_data, mr_enclave, mr_signer, mr_td, chip_id, fmspc, version, tee).
 */
public interface Claims {

    Tee tee();

    /** 64 bytes the Keep chose to bind (key hash, nonce). */
    byte[] reportData();

    /** True when the TEE runs in a debuggable mode (its memory is readable by the host). */
    boolean debug();

    /**
     * True when the evidence was signed under a simulated root (Donjon's {@code sim} platform) that the verifier was
     * explicitly configured to trust: it proves nothing about hardware. Shown as SIMULATED wherever claims are shown.
     */
    default boolean simulated() {
        return false;
    }

    Map<String, String> fields();
}
