package dev.donjon.cli;

import java.io.OutputStream;
import java.io.PrintStream;

/**
 * The training run of the launcher's start-up cache (JDK 25's AOT cache, JEP 483/514/515): {@code ./donjon} runs this
 * once after each build with {@code -XX:AOTCacheOutput}, and the JVM keeps every class it loaded here, linked, with
 * the profiles of the methods that ran, for later starts. It does what the commands a user feels do: the version, and
 * {@code run} of a small module whose compiled classes are already in the compiled-module cache (the launcher fills a
 * cache directory of its own first, with {@code XDG_CACHE_HOME}, so the user's cache is never touched).
 *
 * <p>Only that: every class in the cache is loaded at every start, so training other commands (their help, Chicory's
 * compiler for a module seen the first time) made the commonest ones slower (bench/README.md, Start-up). Its output
 * goes nowhere; its exit code is 0 unless a command failed.
 *
 * <p>Usage: {@code StartupTraining MODULE.wasm}.
 */
public final class StartupTraining {
    private StartupTraining() {}

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: StartupTraining MODULE.wasm");
            System.exit(2);
        }
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
        System.setOut(discard);
        System.setErr(discard);
        int failed = Donjon.execute("--version");
        failed += Donjon.execute("run", args[0]);
        System.exit(failed == 0 ? 0 : 1);
    }
}
