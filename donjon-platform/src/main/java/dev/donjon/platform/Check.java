package dev.donjon.platform;

import java.util.List;

/**
 * One line of {@code platform info}: a named probe, whether it passed, and what was found (or why it failed),
 * with optional sub-checks that only make sense when this one passed.
 */
public record Check(String name, boolean ok, String detail, List<Check> children) {

    public Check {
        children = List.copyOf(children);
    }

    public static Check pass(String name, String detail, Check... children) {
        return new Check(name, true, detail, List.of(children));
    }

    public static Check fail(String name, String detail, Check... children) {
        return new Check(name, false, detail, List.of(children));
    }
}
