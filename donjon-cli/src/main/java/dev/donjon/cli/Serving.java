package dev.donjon.cli;

/** How the {@code serve} commands run: until the process is stopped (or the thread interrupted, as tests do). */
final class Serving {

    private Serving() {}

    /** What starts a server; it may fail to bind. */
    interface Start<T> {
        T start() throws Exception;
    }

    /** Starts a server that listens on {@code listen} (as the user wrote it); failing to bind is one line naming it. */
    static <T> T listening(String listen, Start<T> start) throws Exception {
        try {
            return start.start();
        } catch (Exception e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof java.net.BindException bind) {
                    throw new ExitCodeException(OneLineErrors.FAILURE, "cannot listen on " + listen + ": " + why(bind));
                }
            }
            throw e;
        }
    }

    private static String why(java.net.BindException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("already in use"))
            return "the address is already in use (another server listens there; choose another --listen)";
        if (m.contains("assign requested address")) return "this machine has no such address";
        if (m.contains("Permission denied")) return "permission denied (ports below 1024 need privileges)";
        return OneLineErrors.describe(e);
    }

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
