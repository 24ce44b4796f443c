package dev.donjon.wasi;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** A guest running on its own thread. */
public final class GuestRun {
    /** Compiled guests recurse on the JVM stack: give them a deep one (reserved, not committed). */
    private static final long GUEST_STACK_BYTES = 256L << 20;

    private final CompletableFuture<Integer> result = new CompletableFuture<>();
    private final AtomicReference<GuestFailedException.Reason> stopReason = new AtomicReference<>();
    private final WasiLimits limits;
    private Thread thread;

    private GuestRun(WasiLimits limits) { this.limits = limits; }

    static GuestRun start(Callable<Integer> body, WasiLimits limits) {
        GuestRun run = new GuestRun(limits);
        run.thread = new Thread(null, () -> run.execute(body), "wasi-guest", GUEST_STACK_BYTES);
        run.thread.setDaemon(true);
        run.thread.start();
        limits.maxWallTime().ifPresent(t -> CompletableFuture.delayedExecutor(t.toNanos(), TimeUnit.NANOSECONDS)
                .execute(() -> run.stop(GuestFailedException.Reason.TIME_LIMIT)));
        return run;
    }

    private void execute(Callable<Integer> body) {
        try {
            result.complete(body.call());
        } catch (Throwable t) {
            GuestFailedException.Reason why = stopReason.get();
            if (why == GuestFailedException.Reason.TIME_LIMIT) {
                result.completeExceptionally(new GuestFailedException(why, "guest ran longer than "
                        + human(limits.maxWallTime().orElseThrow()) + " and was stopped"));
            } else if (why != null) {
                result.completeExceptionally(new GuestFailedException(why, "guest was stopped"));
            } else if (t instanceof WasiException w) {
                result.completeExceptionally(w);
            } else if (t instanceof RuntimeException && "guest was stopped".equals(t.getMessage())) {
                result.completeExceptionally(new GuestFailedException(GuestFailedException.Reason.STOPPED, "guest was stopped"));
            } else {
                result.completeExceptionally(new GuestFailedException(GuestFailedException.Reason.HOST_ERROR,
                        "host error while running the guest: " + t, t));
            }
        }
    }

    private static String human(Duration d) {
        if (d.toMillis() % 1000 != 0) return d.toMillis() + " ms";
        return d.toSeconds() + " s";
    }

    /** Waits for the exit code. */
    public int await() throws InterruptedException {
        try {
            return result.get();
        } catch (ExecutionException e) {
            throw (GuestFailedException) unwrap(e);
        }
    }

    /** Waits at most {@code timeout}; empty if still running. */
    public java.util.Optional<Integer> await(Duration timeout) throws InterruptedException {
        try {
            return java.util.Optional.of(result.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (ExecutionException e) {
            throw (GuestFailedException) unwrap(e);
        } catch (java.util.concurrent.TimeoutException e) {
            return java.util.Optional.empty();
        }
    }

    private static RuntimeException unwrap(ExecutionException e) {
        return e.getCause() instanceof GuestFailedException g ? g
                : new GuestFailedException(GuestFailedException.Reason.HOST_ERROR, String.valueOf(e.getCause()), e.getCause());
    }

    public boolean isDone() { return result.isDone(); }

    /** Stops the guest (it sees no signal; it just ends). {@link #await} then throws "guest was stopped". */
    public void stop() { stop(GuestFailedException.Reason.STOPPED); }

    private void stop(GuestFailedException.Reason why) {
        if (result.isDone()) return;
        stopReason.compareAndSet(null, why);
        thread.interrupt();
    }
}
