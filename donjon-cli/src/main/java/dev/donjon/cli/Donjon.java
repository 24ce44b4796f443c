package dev.donjon.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;
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
            Level jul = switch (level) {
                case error -> Level.SEVERE;
                case warn -> Level.WARNING;
                case info -> Level.INFO;
                case debug -> Level.FINE;
            };
            // reset() first: the JDK would otherwise build the handlers of its logging.properties (a ConsoleHandler
            // whose SimpleFormatter loads the time-zone database) at every start, only for them to be removed here
            LogManager.getLogManager().reset();
            Logger root = Logger.getLogger("");
            root.setLevel(jul);
            root.addHandler(new LogLines(jul));
        }
    }

    /** Log records on stderr as {@code LEVEL: message}, with the stack trace when one is attached (debug). */
    private static final class LogLines extends StreamHandler {
        LogLines(Level level) {
            super(System.err, new Formatter() {
                @Override
                public String format(LogRecord r) {
                    StringBuilder line = new StringBuilder(r.getLevel().getLocalizedName())
                            .append(": ")
                            .append(formatMessage(r));
                    if (r.getThrown() != null) {
                        StringWriter trace = new StringWriter();
                        r.getThrown().printStackTrace(new PrintWriter(trace));
                        line.append(System.lineSeparator()).append(trace);
                    }
                    return line.append(System.lineSeparator()).toString();
                }
            });
            setLevel(level);
        }

        @Override
        public synchronized void publish(LogRecord r) {
            super.publish(r);
            flush(); // each line as it happens, as ConsoleHandler does
        }

        @Override
        public synchronized void close() {
            flush(); // never close System.err
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
