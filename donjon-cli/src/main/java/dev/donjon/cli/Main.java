package dev.donjon.cli;

import java.util.Set;

/**
 * The jar's entry point. It answers {@code --version} without touching {@link Donjon}, whose set-up loads and links
 * every command class (85 ms of a 230 ms {@code --version} without the start-up cache; bench/README.md, Start-up),
 * and hands everything else to {@link Donjon#main}.
 */
public final class Main {
    static final Set<String> VERSION_FLAGS = Set.of("-V", "--version");

    private Main() {}

    public static void main(String[] args) {
        if (asksForVersion(args)) {
            System.out.println(version());
            return;
        }
        Donjon.main(args);
    }

    /** {@code donjon --version} or {@code donjon -V} and nothing else. */
    static boolean asksForVersion(String[] args) {
        return args.length == 1 && VERSION_FLAGS.contains(args[0]);
    }

    /**
     * From the jar's manifest (set by Maven), so --version never lies. Built without {@code Runtime.version()}'s
     * streams and without {@code +} on strings (an invokedynamic): each spins method handles the first time (136 ->
     * 118 ms without them; bench/README.md, "Frames of split functions"). {@code java.runtime.version} is the string
     * {@code Runtime.version()} parses.
     */
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new StringBuilder("donjon ")
                .append(v == null ? "(development build)" : v)
                .append(" on Java ")
                .append(System.getProperty("java.runtime.version"))
                .toString();
    }
}
