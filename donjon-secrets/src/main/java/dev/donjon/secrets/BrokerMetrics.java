package dev.donjon.secrets;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The broker's Prometheus metrics (prometheus-metrics-core), in their own registry:
 * {@code donjon_secrets_decisions_total{decision, reason}} (released, or refused with the reason class: no_certificate,
 * certificate, policy, unknown_secret, integrity), {@code donjon_secrets_operator_total{action, outcome}},
 * {@code donjon_secrets_http_requests_total{listener, code}} and {@code donjon_secrets_release_seconds}.
 */
public final class BrokerMetrics {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter decisions = Counter.builder().name("donjon_secrets_decisions_total")
            .help("Release decisions, by outcome and reason class").labelNames("decision", "reason").register(registry);
    private final Counter operator = Counter.builder().name("donjon_secrets_operator_total")
            .help("Operator requests, by action and outcome").labelNames("action", "outcome").register(registry);
    private final Counter requests = Counter.builder().name("donjon_secrets_http_requests_total")
            .help("HTTP requests, by listener and status code").labelNames("listener", "code").register(registry);
    private final Histogram releaseSeconds = Histogram.builder().name("donjon_secrets_release_seconds")
            .help("Time to judge a release request and answer it").classicUpperBounds(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1)
            .register(registry);
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    void decision(boolean released, String reason) { decisions.labelValues(released ? "released" : "refused", reason).inc(); }

    void operator(String action, String outcome) { operator.labelValues(action, outcome).inc(); }

    void request(String listener, int code) { requests.labelValues(listener, Integer.toString(code)).inc(); }

    void releaseSeconds(double s) { releaseSeconds.observe(s); }

    public String contentType() { return writer.getContentType(); }

    public void write(OutputStream out) throws IOException { writer.write(out, registry.scrape()); }
}
