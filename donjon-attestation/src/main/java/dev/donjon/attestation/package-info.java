/**
 * Attestation: parse (bytes to records), verify (signatures, chains, collateral) and validate (policy),
 * for AMD SEV-SNP ({@code snp}), Intel SGX DCAP and TDX ({@code intel}). Knows nothing of HTTP or of Keeps.
 */
package dev.donjon.attestation;
