package dev.donjon.drawbridge;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Drawbridge's OAuth scopes: {@code <level>:drawbridge_<context>}, e.g. {@code manage:drawbridge_tags}. */
public final class Scope {
    private Scope() {}

    public enum Level {
        READ(List.of("read", "manage")),
        WRITE(List.of("write", "manage"));

        private final List<String> sufficient;

        Level(List<String> sufficient) {
            this.sufficient = sufficient;
        }

        List<String> sufficient() {
            return sufficient;
        }

        String wireName() {
            return name().toLowerCase();
        }
    }

    public enum Context {
        USERS("drawbridge_users"),
        REPOSITORIES("drawbridge_repositories"),
        TAGS("drawbridge_tags");

        private final String wireName;

        Context(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    /**
     * Drawbridge's rule: "read" is granted by read or manage, "write" by write or manage, each on the context or, as the
     * shorthands read, write and manage, on every context.
     */
    public static boolean has(dev.donjon.server.Principal.Bearer token, Level level, Context context) {
        for (String l : level.sufficient()) {
            if (token.scopes().contains(l + ":" + context.wireName())
                    || token.scopes().contains(l)) return true;
        }
        return false;
    }

    /** Registers user names for any subject (beyond Drawbridge: without it, a subject registers only its own one name). */
    public static final String ADMIN_USERS = "admin:drawbridge_users";

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
