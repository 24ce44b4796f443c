package dev.donjon.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

/**
 * A {@code serve} command started as a user would, on its own thread: its stdout/stderr are captured until it prints
 * the line starting with {@code marker} (or gives up); {@link #close} stops it as Ctrl-C would.
 *
 * @param line the marker line, or null when the command did not start (see {@code err})
 */
record Served(Thread thread, String line, String err) implements AutoCloseable {

    static Served start(String marker, String... args) throws InterruptedException {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out, oldErr = System.err;
        System.setOut(new PrintStream(out, true));
        System.setErr(new PrintStream(err, true));
        Thread serve;
        String line = null;
        try {
            serve = Thread.ofPlatform().start(() -> Donjon.execute(args));
            for (int i = 0; i < 600 && serve.isAlive() && line == null; i++) {
                Thread.sleep(50);
                line = out.toString()
                        .lines()
                        .filter(l -> l.startsWith(marker))
                        .findFirst()
                        .orElse(null);
            }
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Served(serve, line, err.toString());
    }

    @Override
    public void close() throws InterruptedException {
        thread.interrupt();
        thread.join(10_000);
    }
}
