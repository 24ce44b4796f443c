package dev.donjon.wasi;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/** A guest running on its own thread. */
public final class GuestRun {
    /**
     * Compiled guests recurse on the JVM stack: give them a deep one (reserved, committed only as deep as the guest
     * recurses; the host agent counts all of it in a Keep process's memory bound).
     */
    public static final long GUEST_STACK_BYTES = 256L << 20;
    /** The CPU-time watchdog never samples more often than this, even when the guest is just under its limit. */
    private static final long MIN_CPU_SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final CompletableFuture<Integer> result = new CompletableFuture<>();
    private final AtomicReference<GuestFailedException.Reason> stopReason = new AtomicReference<>();
    private final WasiLimits limits;
    private Thread thread;

    private GuestRun(WasiLimits limits) {
        this.limits = limits;
    }

    static GuestRun start(Callable<Integer> body, WasiLimits limits) {
        ThreadMXBean cpuClock = limits.maxCpuTime().isPresent() ? threadCpuClock() : null;
        GuestRun run = new GuestRun(limits);
        run.thread = new Thread(null, () -> run.execute(body), "wasi-guest", GUEST_STACK_BYTES);
        run.thread.setDaemon(true);
        run.thread.start();
        limits.maxWallTime()
                .ifPresent(t -> CompletableFuture.delayedExecutor(t.toNanos(), TimeUnit.NANOSECONDS)
                        .execute(() -> run.stop(GuestFailedException.Reason.TIME_LIMIT)));
        limits.maxCpuTime()
                .ifPresent(t -> Thread.ofVirtual()
                        .name("wasi-guest-cpu-watchdog")
                        .start(() -> run.watchCpuTime(cpuClock, t.toNanos())));
        return run;
    }

    /** Refuses a CPU-time limit that could not be enforced rather than running the guest without it. */
    private static ThreadMXBean threadCpuClock() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (!threads.isThreadCpuTimeSupported()) {
            throw new WasiException(
                    "this JVM cannot measure a thread's CPU time, so a CPU-time limit cannot be enforced");
        }
        if (!threads.isThreadCpuTimeEnabled()) threads.setThreadCpuTimeEnabled(true);
        return threads;
    }

    /**
     * Stops the guest once its thread has used {@code limitNanos} of CPU. The guest runs on one thread, which cannot
     * use CPU faster than the wall clock runs: so the watchdog sleeps exactly the CPU time still allowed (a blocked
     * guest costs a wake-up per remaining allowance, a busy one is caught within a sample of its limit), and wakes at
     * once when the guest ends.
     */
    private void watchCpuTime(ThreadMXBean cpuClock, long limitNanos) {
        while (!result.isDone()) {
            long used = cpuClock.getThreadCpuTime(thread.threadId());
            if (used < 0) return; // the thread has ended
            if (used > limitNanos) {
                stop(GuestFailedException.Reason.CPU_TIME_LIMIT);
                return;
            }
            try {
                result.get(Math.max(limitNanos - used, MIN_CPU_SAMPLE_NANOS), TimeUnit.NANOSECONDS);
                return;
            } catch (TimeoutException e) {
                // sample again
            } catch (ExecutionException | InterruptedException e) {
                return;
            }
        }
    }

    private void execute(Callable<Integer> body) {
        try {
            result.complete(body.call());
        } catch (Throwable t) {
            GuestFailedException.Reason why = stopReason.get();
            if (why == GuestFailedException.Reason.TIME_LIMIT) {
                result.completeExceptionally(new GuestFailedException(
                        why,
                        "guest ran longer than " + human(limits.maxWallTime().orElseThrow()) + " and was stopped"));
            } else if (why == GuestFailedException.Reason.CPU_TIME_LIMIT) {
                result.completeExceptionally(new GuestFailedException(
                        why,
                        "guest used more than " + human(limits.maxCpuTime().orElseThrow())
                                + " of CPU time and was stopped"));
            } else if (why != null) {
                result.completeExceptionally(new GuestFailedException(why, "guest was stopped"));
            } else if (t instanceof WasiException w) {
                result.completeExceptionally(w);
            } else if (t instanceof RuntimeException && "guest was stopped".equals(t.getMessage())) {
                result.completeExceptionally(
                        new GuestFailedException(GuestFailedException.Reason.STOPPED, "guest was stopped"));
            } else {
                result.completeExceptionally(new GuestFailedException(
                        GuestFailedException.Reason.HOST_ERROR, "host error while running the guest: " + t, t));
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
        return e.getCause() instanceof GuestFailedException g
                ? g
                : new GuestFailedException(
                        GuestFailedException.Reason.HOST_ERROR, String.valueOf(e.getCause()), e.getCause());
    }

    public boolean isDone() {
        return result.isDone();
    }

    /** Stops the guest (it sees no signal; it just ends). {@link #await} then throws "guest was stopped". */
    public void stop() {
        stop(GuestFailedException.Reason.STOPPED);
    }

    private void stop(GuestFailedException.Reason why) {
        if (result.isDone()) return;
        stopReason.compareAndSet(null, why);
        thread.interrupt();
    }
}
