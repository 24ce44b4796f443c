package dev.donjon.common;

/**
 * Error texts squeezed to one line, as every message Donjon prints or sends must be: a message may come from a
 * library, a file name or a peer, and a line break or a terminal escape sequence in it would forge or hide output.
 */
public final class OneLine {

    private OneLine() {}

    /** {@code s} with every run of white space and control characters (line breaks, tabs, ESC) folded into one space. */
    public static String of(String s) {
        return s.replaceAll("[\\s\\p{Cntrl}]+", " ").strip();
    }

    /** The message of {@code t}, or of its first cause that has one, on one line; else the exception's simple name. */
    public static String of(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (m != null && !m.isBlank()) return of(m);
        }
        return t.getClass().getSimpleName();
    }
}
