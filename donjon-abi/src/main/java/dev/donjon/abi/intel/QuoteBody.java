package dev.donjon.attestation.intel;

/** What a quote attests: an SGX enclave report or a TD report. */
sealed interface QuoteBody permits SgxReportBody, TdReportBody {
    byte[] reportData();

    boolean debug();
}
