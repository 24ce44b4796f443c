package dev.donjon.cli;

import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code donjon} command: run WebAssembly workloads in attested Keeps. */
@Command(
        name = "donjon",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT, // every subcommand, however deep, answers --help

        versionProvider = DonjonVersion.class,
        description = "Run WebAssembly (WASI) workloads in hardware Trusted Execution Environments (Keeps).",
        subcommands = {
            CommandLine.HelpCommand.class,
            RunCommand.class, ConfigCommand.class, PlatformCommand.class,
            AttestationCommand.class, CollateralCommand.class,
            DrawbridgeCommand.class, UserCommand.class, RepoCommand.class, PackageCommand.class,
            StewardCommand.class, SecretsCommand.class,
            HostCommand.class, DeployCommand.class,
        })
public final class Donjon {

    enum LogLevel { error, warn, info, debug }

    /** {@code --log-level}, on the root command and (inherited) every subcommand. */
    static final class LogLevelOption {
        @Option(names = "--log-level", scope = ScopeType.INHERIT, defaultValue = "${env:DONJON_LOG:-warn}",
                description = "error, warn, info or debug (debug also prints stack traces). Default: ${DEFAULT-VALUE}.")
        void setLogLevel(LogLevel level) {
            Donjon.level = level;
            Level jul = switch (level) {
                case error -> Level.SEVERE;
                case warn -> Level.WARNING;
                case info -> Level.INFO;
                case debug -> Level.FINE;
            };
            Logger root = Logger.getLogger("");
            root.setLevel(jul);
            for (var h : root.getHandlers()) root.removeHandler(h);
            ConsoleHandler handler = new ConsoleHandler();
            handler.setLevel(jul);
            handler.setFormatter(new SimpleFormatter());
            root.addHandler(handler);
        }
    }

    @Mixin LogLevelOption logLevel;

    /**
     * The root command with {@code run} as its only subcommand. Building the full tree makes picocli inspect every
     * subcommand's annotations (≈0.15-0.2 s CPU at start-up); {@code donjon run ...}, the command whose start-up
     * users feel, takes this tree instead. Same name, options and help text for {@code run}.
     */
    @Command(name = "donjon", mixinStandardHelpOptions = true, versionProvider = DonjonVersion.class, subcommands = RunCommand.class)
    static final class RunOnly {
        @Mixin LogLevelOption logLevel;
    }

    private static LogLevel level = LogLevel.warn;

    static boolean debug() { return level == LogLevel.debug; }

    public static void main(String[] args) {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%6$s%n");
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code; never prints a stack trace unless --log-level debug. */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(args.length > 0 && args[0].equals("run") ? new RunOnly() : new Donjon());
        // `donjon run [OPTIONS] MODULE ARGS...`: everything after MODULE belongs to the guest, options included
        cli.getSubcommands().get("run").setStopAtPositional(true);
        cli.setExecutionExceptionHandler(new OneLineErrors());
        cli.setParameterExceptionHandler(new OneLineErrors());
        return cli.execute(args);
    }
}
