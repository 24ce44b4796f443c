package dev.donjon.cli;

import dev.donjon.common.LogLines;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
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
        m.put("collateral", CollateralCommand::new);
        m.put("drawbridge", DrawbridgeCommand::new);
        m.put("user", UserCommand::new);
        m.put("repo", RepoCommand::new);
        m.put("package", PackageCommand::new);
        m.put("steward", StewardCommand::new);
        m.put("secrets", SecretsCommand::new);
        m.put("host", HostCommand::new);
        m.put("deploy", DeployCommand::new);
        m.put("completion", CompletionCommand::new);
        return m;
    }

    enum LogLevel {
        error,
        warn,
        info,
        debug
    }

    /** {@code --log-level}, on the root command and (inherited) every subcommand. */
    static final class LogLevelOption {
        @Option(
                names = "--log-level",
                scope = ScopeType.INHERIT,
                defaultValue = "${env:DONJON_LOG:-warn}",
                description = "error, warn, info or debug (debug also prints stack traces). Default: ${DEFAULT-VALUE}.")
        void setLogLevel(LogLevel level) {
            Donjon.level = level;
            LogLines.install("", LogLines.level(level.name()));
        }
    }

    @Mixin
    LogLevelOption logLevel;

    private static LogLevel level = LogLevel.warn;

    static boolean debug() {
        return level == LogLevel.debug;
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code; never prints a stack trace unless --log-level debug. */
    public static int execute(String... args) {
        if (Main.asksForVersion(args)) {
            // what picocli prints for it, without building a command tree (its reflection is most of a start-up)
            System.out.println(Main.version());
            System.out.flush();
            return 0;
        }
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
                version |= Main.VERSION_FLAGS.contains(a);
                versionOnly &= Main.VERSION_FLAGS.contains(a);
            }
        }
        // help and completion describe the whole tree
        if (named != null && !named.equals("help") && !named.equals("completion") && SUBCOMMANDS.containsKey(named)) {
            return tree(Set.of(named));
        }
        return named == null && version && versionOnly ? tree(Set.of()) : commandLine();
    }

    private static CommandLine tree(Set<String> names) {
        CommandLine cli = new CommandLine(new Donjon());
        SUBCOMMANDS.forEach((name, command) -> {
            if (names.contains(name)) cli.addSubcommand(name, command.get());
        });
        // `donjon run|deploy [OPTIONS] PACKAGE ARGS...`: everything after PACKAGE belongs to the guest, options
        // included
        for (String guestArgs : List.of("run", "deploy")) {
            CommandLine command = cli.getSubcommands().get(guestArgs);
            if (command != null) command.setStopAtPositional(true);
        }
        return cli;
    }
}
