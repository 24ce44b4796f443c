package dev.donjon.secrets;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The broker's own Prometheus metrics (prometheus-metrics-core): {@code donjon_secrets_decisions_total{decision, reason}}
 * (released, or refused with the reason class: no_certificate, certificate, policy, unknown_secret, store, integrity),
 * {@code donjon_secrets_operator_total{action, outcome}} and {@code donjon_secrets_release_seconds}. They are scraped
 * with the edge's (HTTP requests by route and status, connections, the JVM) at the operator listener's
 * {@code /metrics} ({@link BrokerServer}).
 */
public final class BrokerMetrics {

    private final Counter decisions = Counter.builder()
            .name("donjon_secrets_decisions_total")
            .help("Release decisions, by outcome and reason class")
            .labelNames("decision", "reason")
            .build();
    private final Counter operator = Counter.builder()
            .name("donjon_secrets_operator_total")
            .help("Operator requests, by action and outcome")
            .labelNames("action", "outcome")
            .build();
    private final Histogram releaseSeconds = Histogram.builder()
            .name("donjon_secrets_release_seconds")
            .help("Time to judge a release request and answer it")
            .classicUpperBounds(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1)
            .build();

    void decision(boolean released, String reason) {
        decisions.labelValues(released ? "released" : "refused", reason).inc();
    }

    void operator(String action, String outcome) {
        operator.labelValues(action, outcome).inc();
    }

    void releaseSeconds(double s) {
        releaseSeconds.observe(s);
    }

    /** Adds these metrics to {@code registry}, where they are scraped. */
    void registerIn(PrometheusRegistry registry) {
        registry.register(decisions);
        registry.register(operator);
        registry.register(releaseSeconds);
    }
}
