package dev.donjon.cli;

/** How the {@code serve} commands run: until the process is stopped (or the thread interrupted, as tests do). */
final class Serving {

    private Serving() {}

    /** Blocks until stopped, then closes {@code server}; a shutdown hook closes it on SIGTERM/SIGINT too. */
    static void untilStopped(AutoCloseable server) throws Exception {
        Thread hook = new Thread(() -> {
            try {
                server.close();
            } catch (Exception ignored) {
                // the JVM is going away
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            Thread.currentThread().join();
        } catch (InterruptedException stop) {
            Thread.currentThread().interrupt();
        } finally {
            server.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
    }
}
