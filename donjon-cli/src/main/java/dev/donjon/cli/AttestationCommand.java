package dev.donjon.cli;

import picocli.CommandLine.Command;

/** {@code donjon attestation ...}: verify TEE evidence offline. */
@Command(
        name = "attestation",
        mixinStandardHelpOptions = true,
        description = "Verify SEV-SNP, SGX and TDX attestation evidence (offline, clock injectable).",
        subcommands = {AttestationVerifyCommand.class, AttestationVerifyCasesCommand.class})
final class AttestationCommand {}
