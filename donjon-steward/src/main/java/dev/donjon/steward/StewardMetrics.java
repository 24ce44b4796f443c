package dev.donjon.steward;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Prometheus counters and a latency histogram, written in the text exposition format (version 0.0.4) by hand:
 * requests by endpoint and status, verdicts by outcome and reason, attestation latency.
 */
public final class StewardMetrics {

    /** Upper bounds of the latency buckets, in seconds. */
    private static final double[] BUCKETS = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> verdicts = new ConcurrentHashMap<>();
    private final LongAdder[] bucketCounts = new LongAdder[BUCKETS.length + 1];
    private final LongAdder latencyCount = new LongAdder();
    private final java.util.concurrent.atomic.DoubleAdder latencySum = new java.util.concurrent.atomic.DoubleAdder();

    public StewardMetrics() {
        for (int i = 0; i < bucketCounts.length; i++) bucketCounts[i] = new LongAdder();
    }

    void request(String endpoint, int status) {
        requests.computeIfAbsent("endpoint=\"" + endpoint + "\",code=\"" + status + "\"", k -> new LongAdder()).increment();
    }

    /** One enrollment or token verdict, and how long checking it took. */
    void verdict(Enrollment e, long nanos) {
        String outcome, reason;
        switch (e) {
            case Enrollment.Issued i -> { outcome = "issued"; reason = i.keep().tee(); }
            case Enrollment.Malformed m -> { outcome = "malformed"; reason = "malformed"; }
            case Enrollment.NoAttestation n -> { outcome = "no_attestation"; reason = n.cause(); }
            case Enrollment.Refused r -> { outcome = "refused"; reason = r.rule(); }
        }
        verdicts.computeIfAbsent("verdict=\"" + outcome + "\",reason=\"" + escape(reason) + "\"", k -> new LongAdder()).increment();
        double seconds = nanos / 1e9;
        int i = 0;
        while (i < BUCKETS.length && seconds > BUCKETS[i]) i++;
        bucketCounts[i].increment();
        latencyCount.increment();
        latencySum.add(seconds);
    }

    public String exposition() {
        StringBuilder b = new StringBuilder();
        b.append("# HELP donjon_steward_requests_total HTTP requests by endpoint and status code.\n");
        b.append("# TYPE donjon_steward_requests_total counter\n");
        new TreeMap<>(requests).forEach((k, v) -> b.append("donjon_steward_requests_total{").append(k).append("} ").append(v.sum()).append('\n'));
        b.append("# HELP donjon_steward_verdicts_total Attestation verdicts (certificates and tokens) by outcome and reason.\n");
        b.append("# TYPE donjon_steward_verdicts_total counter\n");
        new TreeMap<>(verdicts).forEach((k, v) -> b.append("donjon_steward_verdicts_total{").append(k).append("} ").append(v.sum()).append('\n'));
        b.append("# HELP donjon_steward_attestation_seconds Time to check one CSR and issue its certificate or token.\n");
        b.append("# TYPE donjon_steward_attestation_seconds histogram\n");
        long cumulative = 0;
        for (int i = 0; i < BUCKETS.length; i++) {
            cumulative += bucketCounts[i].sum();
            b.append("donjon_steward_attestation_seconds_bucket{le=\"").append(BUCKETS[i]).append("\"} ").append(cumulative).append('\n');
        }
        cumulative += bucketCounts[BUCKETS.length].sum();
        b.append("donjon_steward_attestation_seconds_bucket{le=\"+Inf\"} ").append(cumulative).append('\n');
        b.append("donjon_steward_attestation_seconds_sum ").append(latencySum.sum()).append('\n');
        b.append("donjon_steward_attestation_seconds_count ").append(latencyCount.sum()).append('\n');
        return b.toString();
    }

    private static String escape(String label) {
        return label.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
