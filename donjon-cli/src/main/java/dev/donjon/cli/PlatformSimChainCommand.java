package dev.donjon.cli;

import dev.donjon.platform.PlatformSettings;
import dev.donjon.platform.sim.SimAuthority;
import dev.donjon.platform.sim.SimPlatform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code donjon platform sim-chain}: the sim backend's ASK + ARK (PEM), made first if this user has none, for a
 * Steward's {@code [sim] root} or a verifier's {@code --chain}. Trusting it means trusting simulated evidence.
 */
@Command(
        name = "sim-chain",
        mixinStandardHelpOptions = true,
        description = "Print (or write) the sim backend's ASK + ARK PEM bundle, making the sim chain first if needed. "
                + "Only for tests and demos: whoever trusts it accepts SIMULATED evidence.")
final class PlatformSimChainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", paramLabel = "FILE", description = "write the PEM bundle here instead of standard output")
    Path out;

    @Override
    public Integer call() throws Exception {
        SimPlatform sim = new SimPlatform(
                PlatformSettings.fromEnvironment(PlatformInfoCommand.environment)
                        .sim(),
                Clock.systemUTC());
        byte[] pem = sim.authority().chainPem();
        if (out == null) {
            spec.commandLine().getOut().print(new String(pem, java.nio.charset.StandardCharsets.US_ASCII));
            spec.commandLine().getOut().flush();
        } else {
            try {
                Files.write(out, pem);
            } catch (IOException e) {
                throw new IOException(
                        "cannot write " + out + ": " + e.getClass().getSimpleName(), e);
            }
        }
        spec.commandLine()
                .getErr()
                .println("donjon: SIMULATED root " + SimAuthority.ARK_NAME + " from " + sim.directory()
                        + ": trusting it accepts evidence that proves nothing about hardware");
        spec.commandLine().getErr().flush();
        return 0;
    }
}
