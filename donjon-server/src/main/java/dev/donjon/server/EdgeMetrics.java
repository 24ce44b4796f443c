package dev.donjon.server;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One service's Prometheus metrics (the Prometheus Java client, its own registry so that several services can share a
 * JVM in tests): the JVM's, every request by route, method and status (a histogram: its {@code _count} is the request
 * count), the connections the edge holds and the slow ones it closed. Services register their own metrics on
 * {@link #registry()}.
 */
public final class EdgeMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram requests;
    private final ExpositionFormats formats = ExpositionFormats.init();

    EdgeMetrics(ConnectionGuard guard) {
        JvmMetrics.builder().register(registry);
        requests = Histogram.builder()
                .name("donjon_http_request_seconds")
                .help(
                        "HTTP requests by route (the route pattern, or 'unmatched'), method and status code, and how long each took")
                .labelNames("route", "method", "status")
                .classicUpperBounds(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10)
                .register(registry);
        GaugeWithCallback.builder()
                .name("donjon_http_connections")
                .help(
                        "Open connections by state: head (before a complete request head), busy (in a request), idle (keep-alive)")
                .labelNames("state")
                .callback(cb -> guard.connections()
                        .forEach((s, n) -> cb.call(n, s.name().toLowerCase(java.util.Locale.ROOT))))
                .register(registry);
        CounterWithCallback.builder()
                .name("donjon_http_connections_closed")
                .help(
                        "Connections the edge closed: head_timeout, idle_timeout, displaced (a new connection needed the slot), refused_full")
                .labelNames("reason")
                .callback(cb -> {
                    for (ConnectionGuard.Reason r : ConnectionGuard.Reason.values())
                        cb.call(guard.closed(r), r.name().toLowerCase(java.util.Locale.ROOT));
                })
                .register(registry);
    }

    /** Where a service registers its own metrics. */
    public PrometheusRegistry registry() {
        return registry;
    }

    void request(String route, String method, int status, long nanos) {
        requests.labelValues(route, method, Integer.toString(status)).observe(nanos / 1e9);
    }

    /** The registry in the format the {@code Accept} header asks for (Prometheus text by default). */
    Exposition scrape(String accept) {
        ExpositionFormatWriter writer = formats.findWriter(accept);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Exposition(writer.getContentType(), out.toByteArray());
    }

    record Exposition(String contentType, byte[] body) {}
}
