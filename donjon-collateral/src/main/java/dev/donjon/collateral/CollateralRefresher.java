package dev.donjon.collateral;

import java.time.Duration;
import java.util.logging.Logger;

/**
 * Keeps a long-running service's collateral cache warm: every {@code interval}, on a virtual thread, it asks
 * {@link CollateralService#refreshDue} to refresh the pieces that are due, and logs the ones that are no longer usable.
 * Without it, pieces are refreshed only when a quote needs them.
 */
public final class CollateralRefresher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CollateralRefresher.class.getName());
    /** Often enough for pieces refreshed daily and valid for weeks; rare enough for Intel's and AMD's services. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofHours(1);

    private final Thread thread;

    private CollateralRefresher(Thread thread) {
        this.thread = thread;
    }

    /** Starts refreshing now, then every {@code interval}, until closed. */
    public static CollateralRefresher start(CollateralService service, Duration interval) {
        if (interval.isNegative() || interval.isZero())
            throw new IllegalArgumentException("the refresh interval must be positive");
        Thread t = Thread.ofVirtual().name("collateral-refresh").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                service.refreshDue().forEach(problem -> LOG.warning(() -> "collateral cache: " + problem));
                try {
                    Thread.sleep(interval);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        return new CollateralRefresher(t);
    }

    @Override
    public void close() {
        thread.interrupt();
    }
}
