package dev.donjon.cli;

import picocli.CommandLine.Command;

/** {@code donjon platform ...}: what this machine offers to run Keeps on. */
@Command(
        name = "platform",
        mixinStandardHelpOptions = true,
        description = "Inspect the TEE backends (sgx, snp, tdx, sim, nil) available on this machine.",
        subcommands = {PlatformInfoCommand.class, PlatformSimChainCommand.class})
final class PlatformCommand {}
