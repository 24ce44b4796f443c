package dev.donjon.keep;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/** The Keep's own standard streams, which the workload's stdin/stdout/stderr files are connected to. */
public record Stdio(InputStream in, OutputStream out, OutputStream err) {
    public Stdio {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
    }

    /** The JVM's standard streams. */
    public static Stdio system() { return new Stdio(System.in, System.out, System.err); }
}
