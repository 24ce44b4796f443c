package dev.donjon.wasi;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How to run a guest: its argv (argv[0] included), its complete environment (nothing is taken from the host),
 * its fd table in order (fd i = {@code fds.get(i)}), then the preopened directories (fds after those), then the
 * in-memory directories (fds after the preopens), and its limits.
 */
public record WasiOptions(
        List<String> args,
        List<String> env,
        List<FdSpec> fds,
        List<Preopen> preopens,
        List<MemoryDirectory> memoryDirectories,
        WasiLimits limits) {

    public WasiOptions {
        args = List.copyOf(args);
        env = List.copyOf(env);
        fds = List.copyOf(fds);
        preopens = List.copyOf(preopens);
        memoryDirectories = List.copyOf(memoryDirectories);
        Objects.requireNonNull(limits, "limits");
        for (String e : env) {
            if (e.indexOf('=') < 0) throw new IllegalArgumentException("environment entry without '=': " + e);
        }
    }

    /** Without in-memory directories. */
    public WasiOptions(
            List<String> args, List<String> env, List<FdSpec> fds, List<Preopen> preopens, WasiLimits limits) {
        this(args, env, fds, preopens, List.of(), limits);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Fluent builder; with no fd added, fds 0-2 default to an empty stdin and the JVM's stdout/stderr. */
    public static final class Builder {
        private final List<String> args = new ArrayList<>();
        private final List<String> env = new ArrayList<>();
        private final List<FdSpec> fds = new ArrayList<>();
        private final List<Preopen> preopens = new ArrayList<>();
        private final List<MemoryDirectory> memoryDirectories = new ArrayList<>();
        private WasiLimits limits = WasiLimits.defaults();

        private Builder() {}

        public Builder args(String... values) {
            args.addAll(List.of(values));
            return this;
        }

        public Builder args(List<String> values) {
            args.addAll(values);
            return this;
        }
        /** Entries of the form {@code KEY=VALUE}, kept in order. */
        public Builder env(String... entries) {
            env.addAll(List.of(entries));
            return this;
        }

        public Builder env(List<String> entries) {
            env.addAll(entries);
            return this;
        }

        public Builder env(String key, String value) {
            env.add(key + "=" + value);
            return this;
        }

        public Builder fd(FdSpec spec) {
            fds.add(Objects.requireNonNull(spec));
            return this;
        }

        public Builder fds(List<? extends FdSpec> specs) {
            fds.addAll(specs);
            return this;
        }
        /** Shorthand for fds 0, 1, 2. */
        public Builder stdio(InputStream in, OutputStream out, OutputStream err) {
            return fd(new FdSpec.Stdin(in)).fd(new FdSpec.Stdout(out)).fd(new FdSpec.Stderr(err));
        }

        public Builder preopen(Path hostDir, String guestPath) {
            preopens.add(new Preopen(hostDir, guestPath));
            return this;
        }
        /** A read-only directory held in memory (never on the host's disk); its fd follows the preopens. */
        public Builder memoryDirectory(MemoryDirectory dir) {
            memoryDirectories.add(Objects.requireNonNull(dir));
            return this;
        }

        public Builder limits(WasiLimits value) {
            limits = Objects.requireNonNull(value);
            return this;
        }

        public WasiOptions build() {
            List<FdSpec> table = fds.isEmpty()
                    ? List.of(
                            new FdSpec.Stdin(InputStream.nullInputStream()),
                            new FdSpec.Stdout(System.out),
                            new FdSpec.Stderr(System.err))
                    : fds;
            return new WasiOptions(args, env, table, preopens, memoryDirectories, limits);
        }
    }
}
