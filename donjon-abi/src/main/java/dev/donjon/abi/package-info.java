/**
 * Donjon's wire formats, each written once with both directions (parse and encode) and round-trip tests, in the spirit
 * of go-sev-guest's {@code abi}: no I/O, no signature checking, no policy. Producers (the sim platform, the Keep's CSR
 * builder, test fakes) write through it; verifiers and the Steward read through it.
 */
package dev.donjon.abi;
