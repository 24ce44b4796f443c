package dev.donjon.host.keep;

import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * A Keep process's logging: one line per record on stderr ({@code keep: LEVEL: message}), at the level the agent
 * passes with {@code --log-level} (error, warn, info, debug; warn when absent, as {@code donjon}'s own default).
 *
 * <p>Why not the JDK's default (info, two lines with a time stamp): at info every Keep started the watch for guest
 * functions the JIT refuses, a JDK Flight Recorder recording that costs CPU while the Keep starts and memory while it
 * lives (bench/README.md, Deploy); and a Keep's last stderr lines are what the agent quotes when a Keep fails.
 */
public final class KeepLog {
    private KeepLog() {}

    /** Configures the root logger from {@code --log-level} among {@code args}; returns the level set. */
    static Level configure(String[] args) {
        String name = "warn";
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--log-level")) name = args[i + 1];
        }
        Level level = level(name);
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(level);
        ConsoleHandler stderr = new ConsoleHandler(); // System.err
        stderr.setLevel(level);
        stderr.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                return "keep: " + r.getLevel().getName() + ": " + formatMessage(r) + System.lineSeparator();
            }
        });
        root.addHandler(stderr);
        return level;
    }

    static Level level(String name) {
        return switch (name) {
            case "error" -> Level.SEVERE;
            case "warn" -> Level.WARNING;
            case "info" -> Level.INFO;
            case "debug" -> Level.FINE;
            default -> throw new IllegalArgumentException("--log-level takes error, warn, info or debug, not " + name);
        };
    }

    /** The {@code --log-level} that gives a Keep what {@code logger} logs. */
    public static String argumentFor(Logger logger) {
        if (logger.isLoggable(Level.FINE)) return "debug";
        if (logger.isLoggable(Level.INFO)) return "info";
        if (logger.isLoggable(Level.WARNING)) return "warn";
        return "error";
    }
}
