package dev.donjon.drawbridge;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Drawbridge's OAuth scopes: {@code <level>:drawbridge_<context>}, e.g. {@code manage:drawbridge_tags}. */
public final class Scope {
    private Scope() {}

    public enum Level {
        READ(List.of("read", "manage")), WRITE(List.of("write", "manage"));

        private final List<String> sufficient;

        Level(List<String> sufficient) { this.sufficient = sufficient; }

        List<String> sufficient() { return sufficient; }

        String wireName() { return name().toLowerCase(); }
    }

    public enum Context {
        USERS("drawbridge_users"), REPOSITORIES("drawbridge_repositories"), TAGS("drawbridge_tags");

        private final String wireName;

        Context(String wireName) { this.wireName = wireName; }

        public String wireName() { return wireName; }
    }

    /** Expands the shorthands "read", "write", "manage" to that level on every context; full scopes pass through. */
    public static Set<String> expand(Iterable<String> scopes) {
        Set<String> out = new TreeSet<>();
        for (String s : scopes) {
            if (s.equals("read") || s.equals("write") || s.equals("manage")) {
                for (Context c : Context.values()) out.add(s + ":" + c.wireName);
            } else {
                out.add(s);
            }
        }
        return out;
    }
}
