package dev.donjon.keep;

import dev.donjon.config.EnarxConfig;
import dev.donjon.wasi.Preopen;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What to run in a Keep.
 *
 * @param module   the WebAssembly module's bytes (checked when the Keep opens)
 * @param config   the workload's Enarx.toml; empty: the standard streams only and none of its environment rules
 * @param args     extra guest arguments, after argv[0] ({@code main.wasm}) and the config's {@code args}
 * @param env      extra {@code KEY=VALUE} entries (the command line's {@code --env}); a key already set by the
 *                 config is replaced in place
 * @param preopens host directories the guest sees; their fds follow the configured files
 * @param secrets  secrets fetched from a broker before the guest starts (env variables, files of an in-memory directory)
 */
public record Workload(
        byte[] module,
        Optional<EnarxConfig> config,
        List<String> args,
        List<String> env,
        List<Preopen> preopens,
        Optional<SecretsPlan> secrets) {

    public Workload {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(config, "config");
        args = List.copyOf(args);
        env = List.copyOf(env);
        preopens = List.copyOf(preopens);
        Objects.requireNonNull(secrets, "secrets");
        for (String e : env) {
            int eq = e.indexOf('=');
            if (eq <= 0) throw new KeepException("environment entry must be KEY=VALUE, not \"" + e + "\"");
        }
    }

    /** A workload without secrets from a broker. */
    public Workload(
            byte[] module, Optional<EnarxConfig> config, List<String> args, List<String> env, List<Preopen> preopens) {
        this(module, config, args, env, preopens, Optional.empty());
    }

    /** A module with no config, arguments, environment or directories. */
    public static Workload of(byte[] module) {
        return new Workload(module, Optional.empty(), List.of(), List.of(), List.of());
    }

    public Workload withConfig(EnarxConfig value) {
        return new Workload(module, Optional.of(value), args, env, preopens, secrets);
    }

    public Workload withSecrets(Optional<SecretsPlan> plan) {
        return new Workload(module, config, args, env, preopens, plan);
    }
}
