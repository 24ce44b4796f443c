package dev.donjon.host.keep;

import dev.donjon.common.LogLines;
import java.util.logging.Level;

/**
 * A Keep process's logging: {@link LogLines} on stderr, each line prefixed {@code keep: }, at the level the agent
 * passes with {@code --log-level} (warn when absent, as {@code donjon}'s own default).
 *
 * <p>Why not the JDK's default (info, two lines with a time stamp): at info every Keep started the watch for guest
 * functions the JIT refuses, a JDK Flight Recorder recording that costs CPU while the Keep starts and memory while it
 * lives (bench/README.md, Runtime speed); and a Keep's last stderr lines are what the agent quotes when a Keep fails.
 */
final class KeepLog {
    private KeepLog() {}

    /** Configures logging from {@code --log-level} among {@code args}; returns the level set. */
    static Level configure(String[] args) {
        String name = "warn";
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--log-level")) name = args[i + 1];
        }
        Level level = LogLines.level(name);
        LogLines.install("keep: ", level);
        return level;
    }
}
