package dev.donjon.drawbridge;

/** Error texts squeezed to one line, as every message Donjon prints must be. */
final class OneLine {
    private OneLine() {}

    static String of(String s) { return s.replaceAll("\\s*\\R\\s*", " ").strip(); }

    static String of(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) return of(c.getMessage());
        }
        return t.getClass().getSimpleName();
    }
}
