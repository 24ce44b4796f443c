package dev.donjon.cli;

import java.io.OutputStream;
import java.io.PrintStream;

/**
 * The training run of the launcher's start-up cache (JDK 25's AOT cache, JEP 483/514/515): {@code ./donjon} runs this
 * once after each build with {@code -XX:AOTCacheOutput}, and the JVM keeps every class it loaded here, linked, with
 * the profiles of the methods that ran, for later starts. So it does what users' commands do: the version, the help
 * of every command (which loads and links them all), and {@code run} of a small module twice, compiling it and then
 * from the compiled-module cache (the launcher points {@code XDG_CACHE_HOME} at a directory of its own, so the user's
 * cache is never touched). Its output goes nowhere; its exit code is 0 unless a command failed.
 *
 * <p>Usage: {@code StartupTraining [MODULE.wasm]}.
 */
public final class StartupTraining {
    private StartupTraining() {}

    public static void main(String[] args) {
        PrintStream out = System.out;
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
        System.setOut(discard);
        System.setErr(discard);
        int failed = 0;
        failed += Donjon.execute("--version");
        failed += Donjon.execute("--help");
        failed += Donjon.execute("run", "--help");
        if (args.length > 0) {
            failed += Donjon.execute("run", args[0]);
            failed += Donjon.execute("run", args[0]);
        }
        out.flush();
        System.exit(failed == 0 ? 0 : 1);
    }
}
