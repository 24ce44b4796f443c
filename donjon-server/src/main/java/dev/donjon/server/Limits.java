package dev.donjon.server;

import java.time.Duration;

/**
 * What keeps a service serving real clients when others are slow or greedy (see {@link ConnectionGuard}).
 *
 * @param maxConnections most connections open at once; at the cap a new connection displaces the oldest one that has
 *                       not delivered a complete request head (or sits idle between requests). Also capped below the
 *                       process's file-descriptor limit.
 * @param headTimeout    time from accepting a connection to a complete request head (TLS handshake, request line,
 *                       headers): past it the connection is closed
 * @param idleTimeout    time an idle keep-alive connection (or one that stalls inside a request: no byte for this
 *                       long) is kept
 * @param maxHeadBytes   largest request head (request line plus headers); larger heads get 431/414
 * @param drainBytes     after refusing a request body (413, or any error before the body was read), up to this many
 *                       unread body bytes are read and dropped so that the client can read the answer; a larger
 *                       declared body gets the answer and the connection is closed
 * @param shutdownGrace  on close (SIGTERM), how long in-flight requests may take to finish
 */
public record Limits(
        int maxConnections,
        Duration headTimeout,
        Duration idleTimeout,
        int maxHeadBytes,
        long drainBytes,
        Duration shutdownGrace) {

    public Limits {
        if (maxConnections < 1) throw new IllegalArgumentException("maxConnections must be at least 1");
        if (headTimeout.isNegative() || headTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.isZero())
            throw new IllegalArgumentException("timeouts must be positive");
    }

    /** 10,000 connections, 10 s for a request head, 60 s idle, 16 KiB heads, 16 MiB drained, 10 s to finish on close. */
    public static Limits defaults() {
        return new Limits(
                10_000, Duration.ofSeconds(10), Duration.ofSeconds(60), 16 << 10, 16L << 20, Duration.ofSeconds(10));
    }

    public Limits withMaxConnections(int value) {
        return new Limits(value, headTimeout, idleTimeout, maxHeadBytes, drainBytes, shutdownGrace);
    }

    public Limits withHeadTimeout(Duration value) {
        return new Limits(maxConnections, value, idleTimeout, maxHeadBytes, drainBytes, shutdownGrace);
    }

    public Limits withIdleTimeout(Duration value) {
        return new Limits(maxConnections, headTimeout, value, maxHeadBytes, drainBytes, shutdownGrace);
    }

    public Limits withShutdownGrace(Duration value) {
        return new Limits(maxConnections, headTimeout, idleTimeout, maxHeadBytes, drainBytes, value);
    }
}
