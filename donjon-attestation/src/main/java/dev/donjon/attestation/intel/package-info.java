/**
 * Intel SGX DCAP and TDX quote verification: parse (quote bytes and collateral JSON to records, strictly by declared
 * lengths and schema), verify (quote, QE report and collateral signatures, PCK and TCB-signing chains to the pinned
 * root, CRLs) and evaluate the TCB level after Intel's QVL rules.
 */
package dev.donjon.attestation.intel;
