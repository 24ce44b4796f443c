package dev.donjon.common;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * How Donjon's processes log (the {@code donjon} command and the Keep processes it starts): records on stderr as
 * {@code PREFIXLEVEL: message}, one line each, with the stack trace when one is attached, at one of the levels
 * {@code --log-level} names (error, warn, info, debug).
 */
public final class LogLines extends StreamHandler {
    private LogLines(String prefix, Level level) {
        super(System.err, new Formatter() {
            @Override
            public String format(LogRecord r) {
                StringBuilder line = new StringBuilder(prefix)
                        .append(r.getLevel().getLocalizedName())
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

    /**
     * Makes the root logger log at {@code level} through one such handler, and nothing else. reset() first: the JDK
     * would otherwise build the handlers of its logging.properties (a ConsoleHandler whose SimpleFormatter loads the
     * time-zone database).
     */
    public static void install(String prefix, Level level) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(level);
        root.addHandler(new LogLines(prefix, level));
    }

    /** The level a {@code --log-level} name stands for. */
    public static Level level(String name) {
        return switch (name) {
            case "error" -> Level.SEVERE;
            case "warn" -> Level.WARNING;
            case "info" -> Level.INFO;
            case "debug" -> Level.FINE;
            default -> throw new IllegalArgumentException("--log-level takes error, warn, info or debug, not " + name);
        };
    }

    /** The {@code --log-level} name under which a process logs what {@code logger} logs. */
    public static String name(Logger logger) {
        if (logger.isLoggable(Level.FINE)) return "debug";
        if (logger.isLoggable(Level.INFO)) return "info";
        if (logger.isLoggable(Level.WARNING)) return "warn";
        return "error";
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
