package dev.donjon.steward;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The Steward's own Prometheus metrics, beside the edge's (requests by route and status, JVM): attestation verdicts by
 * outcome and reason, and how long checking one CSR took.
 */
public final class StewardMetrics {
    private final Counter verdicts = Counter.builder()
            .name("donjon_steward_verdicts_total")
            .help("Attestation verdicts (certificates and tokens) by outcome and reason")
            .labelNames("verdict", "reason")
            .build();
    private final Histogram latency = Histogram.builder()
            .name("donjon_steward_attestation_seconds")
            .help("Time to check one CSR and issue its certificate or token")
            .classicUpperBounds(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
            .build();

    void register(PrometheusRegistry registry) {
        registry.register(verdicts);
        registry.register(latency);
    }

    /** One enrollment or token verdict, and how long checking it took. */
    void verdict(Enrollment e, long nanos) {
        String outcome, reason;
        switch (e) {
            case Enrollment.Issued i -> {
                outcome = "issued";
                reason = i.keep().tee();
            }
            case Enrollment.Malformed m -> {
                outcome = "malformed";
                reason = "malformed";
            }
            case Enrollment.NoAttestation n -> {
                outcome = "no_attestation";
                reason = n.cause();
            }
            case Enrollment.Refused r -> {
                outcome = "refused";
                reason = r.rule();
            }
        }
        verdicts.labelValues(outcome, reason).inc();
        latency.observe(nanos / 1e9);
    }

    /** Verdicts so far with this outcome (all reasons). */
    public long verdicts(String outcome) {
        long n = 0;
        for (var d : verdicts.collect().getDataPoints()) {
            if (outcome.equals(d.getLabels().get("verdict"))) n += (long) d.getValue();
        }
        return n;
    }
}
