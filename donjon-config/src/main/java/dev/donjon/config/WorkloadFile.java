package dev.donjon.config;

import java.util.Objects;
import java.util.Optional;

/**
 * One {@code [[files]]} entry of Enarx.toml. Entry i becomes the guest's WASI file descriptor i; its
 * {@link #fdName()} is the i-th element of {@code FD_NAMES}.
 */
public sealed interface WorkloadFile {

    /** The name the guest sees in {@code FD_NAMES}. */
    String fdName();

    /** Reads give end-of-file, writes are discarded. */
    record Null(Optional<String> name) implements WorkloadFile {
        public Null {
            Names.check(name);
        }

        @Override
        public String fdName() {
            return name.orElse("null");
        }
    }

    /** The Keep's standard input. */
    record Stdin(Optional<String> name) implements WorkloadFile {
        public Stdin {
            Names.check(name);
        }

        @Override
        public String fdName() {
            return name.orElse("stdin");
        }
    }

    /** The Keep's standard output. */
    record Stdout(Optional<String> name) implements WorkloadFile {
        public Stdout {
            Names.check(name);
        }

        @Override
        public String fdName() {
            return name.orElse("stdout");
        }
    }

    /** The Keep's standard error. */
    record Stderr(Optional<String> name) implements WorkloadFile {
        public Stderr {
            Names.check(name);
        }

        @Override
        public String fdName() {
            return name.orElse("stderr");
        }
    }

    /** A socket the Keep binds and listens on; the guest accepts connections from it. */
    record Listen(String name, String addr, int port, Protocol prot) implements WorkloadFile {
        public static final String DEFAULT_ADDR = "::";

        public Listen {
            Names.check(Optional.of(name));
            Objects.requireNonNull(addr, "addr");
            Objects.requireNonNull(prot, "prot");
            Names.checkPort(port);
        }

        @Override
        public String fdName() {
            return name;
        }
    }

    /** A connection the Keep opens before the guest starts. */
    record Connect(String name, String host, int port, Protocol prot) implements WorkloadFile {
        public Connect {
            Names.check(Optional.of(name));
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(prot, "prot");
            Names.checkPort(port);
        }

        @Override
        public String fdName() {
            return name;
        }
    }

    /** Rules every file name and port obeys, whoever builds the record. */
    final class Names {
        private Names() {}

        static void check(Optional<String> name) {
            name.ifPresent(n -> {
                if (n.indexOf(':') >= 0)
                    throw new IllegalArgumentException("name must not contain ':' (FD_NAMES is ':'-separated): " + n);
            });
        }

        static void checkPort(int port) {
            if (port < 0 || port > 65_535) throw new IllegalArgumentException("port must be 0-65535, not " + port);
        }
    }
}
