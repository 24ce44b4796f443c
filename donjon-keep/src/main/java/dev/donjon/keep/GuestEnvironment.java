package dev.donjon.keep;

import dev.donjon.config.EnarxConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The guest's argv and environment, by Enarx's rules. Nothing comes from the host's own environment. */
final class GuestEnvironment {
    /** Enarx names every workload this, whatever its file was called. */
    static final String ARGV0 = "main.wasm";

    private GuestEnvironment() {}

    /** {@code main.wasm}, the config's args, then the extra args. */
    static List<String> argv(Workload w) {
        List<String> argv = new ArrayList<>();
        argv.add(ARGV0);
        w.config().ifPresent(c -> argv.addAll(c.args()));
        argv.addAll(w.args());
        return argv;
    }

    /**
     * With a config: {@code FD_COUNT}, {@code FD_NAMES} (':'-joined), the config's env in file order, then the
     * extra entries (replacing a key already set, in place). Without: exactly the extra entries.
     */
    static List<String> env(Workload w) {
        return env(w, Map.of());
    }

    /**
     * As {@link #env(Workload)}, then the secrets' variables (and, with a secrets directory, {@code DONJON_SECRETS_DIR} and
     * {@code DONJON_SECRETS_FD}): a secret never silently replaces a variable the config or the command line set.
     */
    static List<String> env(Workload w, Map<String, String> secrets) {
        Map<String, String> env = new LinkedHashMap<>();
        w.config().ifPresent(c -> {
            env.put("FD_COUNT", Integer.toString(c.files().size()));
            env.put("FD_NAMES", String.join(":", c.fdNames()));
            env.putAll(c.env());
        });
        for (String e : w.env()) {
            int eq = e.indexOf('=');
            env.put(e.substring(0, eq), e.substring(eq + 1));
        }
        for (var s : secrets.entrySet()) {
            if (env.containsKey(s.getKey())) {
                throw new KeepException("secret variable " + s.getKey()
                        + " would replace the environment variable of that name (set by Enarx.toml or --env)");
            }
            env.put(s.getKey(), s.getValue());
        }
        List<String> out = new ArrayList<>(env.size());
        env.forEach((k, v) -> out.add(k + "=" + v));
        return out;
    }

    /** The files of the workload: its config's, or the standard streams. */
    static EnarxConfig configOrDefault(Workload w) {
        return w.config().orElseGet(EnarxConfig::defaults);
    }
}
