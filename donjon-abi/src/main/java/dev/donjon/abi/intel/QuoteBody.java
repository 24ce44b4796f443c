package dev.donjon.abi.intel;

/** What a quote attests: an SGX enclave report or a TD report. */
public sealed interface QuoteBody permits SgxReportBody, TdReportBody {
    byte[] reportData();

    boolean debug();

    /** The body's bytes in the quote's layout. */
    byte[] encode();
}
