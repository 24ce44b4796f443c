package dev.donjon.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
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
        description = "Run WebAssembly (WASI) workloads in hardware Trusted Execution Environments (Keeps).")
public final class Donjon {

    /**
     * The subcommands, in the order help lists them. picocli reflects over a command's annotations (and its nested
     * commands') when it is added, ≈0.5 s of CPU for the whole tree at every start: {@link #commandLine(String...)}
     * adds only the one the command line names. Each key is the command's annotated name.
     */
    private static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

    private static Map<String, Supplier<Object>> subcommands() {
        Map<String, Supplier<Object>> m = new LinkedHashMap<>();
        m.put("help", CommandLine.HelpCommand::new);
        m.put("run", RunCommand::new);
        m.put("config", ConfigCommand::new);
        m.put("platform", PlatformCommand::new);
        m.put("attestation", AttestationCommand::new);
        m.put("drawbridge", DrawbridgeCommand::new);
        m.put("user", UserCommand::new);
        m.put("repo", RepoCommand::new);
        m.put("package", PackageCommand::new);
        m.put("steward", StewardCommand::new);
        m.put("host", HostCommand::new);
        m.put("deploy", DeployCommand::new);
        return m;
    }

    private static final Set<String> VERSION_FLAGS = Set.of("-V", "--version");

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

    private static LogLevel level = LogLevel.warn;

    static boolean debug() { return level == LogLevel.debug; }

    public static void main(String[] args) {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%6$s%n");
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code; never prints a stack trace unless --log-level debug. */
    public static int execute(String... args) {
        CommandLine cli = commandLine(args);
        cli.setExecutionExceptionHandler(new OneLineErrors());
        cli.setParameterExceptionHandler(new OneLineErrors());
        return cli.execute(args);
    }

    /** The whole command tree (what {@code donjon --help} lists). */
    static CommandLine commandLine() {
        return tree(SUBCOMMANDS.keySet());
    }

    /**
     * The tree {@code args} need: the root and the subcommand they name; the root alone for {@code --version}; the
     * whole tree when they name none or an unknown one (help and picocli's suggestions list them all) or {@code help}.
     */
    static CommandLine commandLine(String... args) {
        String named = null;
        boolean version = false;
        boolean versionOnly = true;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--log-level")) {
                i++;
            } else if (!a.startsWith("--log-level=")) {
                if (!a.startsWith("-")) {
                    named = a;
                    break;
                }
                version |= VERSION_FLAGS.contains(a);
                versionOnly &= VERSION_FLAGS.contains(a);
            }
        }
        if (named != null && !named.equals("help") && SUBCOMMANDS.containsKey(named)) return tree(Set.of(named));
        return named == null && version && versionOnly ? tree(Set.of()) : commandLine();
    }

    private static CommandLine tree(Set<String> names) {
        CommandLine cli = new CommandLine(new Donjon());
        SUBCOMMANDS.forEach((name, command) -> {
            if (names.contains(name)) cli.addSubcommand(name, command.get());
        });
        // `donjon run [OPTIONS] MODULE ARGS...`: everything after MODULE belongs to the guest, options included
        CommandLine run = cli.getSubcommands().get("run");
        if (run != null) run.setStopAtPositional(true);
        return cli;
    }
}
