package dev.donjon.keep;

import dev.donjon.wasi.StreamKind;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * The Keep's own standard streams, which the workload's stdin/stdout/stderr files are connected to, and what each
 * really is (a terminal, a file, a pipe...), which is what the guest is told ({@code isatty} included).
 */
public record Stdio(
        InputStream in, OutputStream out, OutputStream err, StreamKind inKind, StreamKind outKind, StreamKind errKind) {
    public Stdio {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
        Objects.requireNonNull(inKind, "inKind");
        Objects.requireNonNull(outKind, "outKind");
        Objects.requireNonNull(errKind, "errKind");
    }

    /** Streams inside the host (no file, no terminal behind them): the guest sees them as such. */
    public Stdio(InputStream in, OutputStream out, OutputStream err) {
        this(in, out, err, StreamKind.STREAM, StreamKind.STREAM, StreamKind.STREAM);
    }

    /** The JVM's standard streams, described by what this process's fds 0, 1 and 2 really are. */
    public static Stdio system() {
        return new Stdio(
                System.in,
                System.out,
                System.err,
                StreamKind.ofProcessFd(0),
                StreamKind.ofProcessFd(1),
                StreamKind.ofProcessFd(2));
    }
}
