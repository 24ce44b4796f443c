package dev.donjon.collateral;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * AMD's Key Distribution Service (kdsintf.amd.com): {@code /vcek/v1/{product}/cert_chain} (ASK + ARK, PEM),
 * {@code /vcek/v1/{product}/crl} (the ARK's CRL, DER) and a chip's VCEK (DER, path from
 * {@code dev.donjon.platform.linux.AmdKds#vcekPath}). AMD limits how fast one client may ask: requests are spaced at
 * least {@code minInterval} apart (a blocking wait), and a 429's Retry-After reaches the cache's back-off.
 */
public final class KdsClient implements CollateralSource {

    public static final URI AMD = URI.create("https://kdsintf.amd.com");
    /** One request every two seconds: the cache asks rarely (certificates last years, the CRL a week or more). */
    public static final Duration DEFAULT_MIN_INTERVAL = Duration.ofSeconds(2);

    private static final int MAX_BYTES = 64 << 10;

    private final URI base;
    private final HttpFetch http;
    private final Duration minInterval;
    private long nextAllowedNanos = System.nanoTime();

    public KdsClient(URI base, HttpClient http, Duration minInterval) {
        String s = base.toString();
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        this.base = URI.create(s);
        this.http = new HttpFetch(http);
        this.minInterval = minInterval;
    }

    public static KdsClient of(URI base, Duration minInterval) {
        return new KdsClient(base, HttpFetch.client(Optional.empty()), minInterval);
    }

    @Override
    public String name() {
        return base.toString();
    }

    @Override
    public boolean serves(CollateralKey key) {
        return key instanceof CollateralKey.AmdCertChain
                || key instanceof CollateralKey.AmdCrl
                || key instanceof CollateralKey.AmdVcek;
    }

    @Override
    public CollateralEntry fetch(CollateralKey key, Instant now) throws FetchException {
        String path = switch (key) {
            case CollateralKey.AmdCertChain k -> "/vcek/v1/" + k.product().kdsName() + "/cert_chain";
            case CollateralKey.AmdCrl k -> "/vcek/v1/" + k.product().kdsName() + "/crl";
            case CollateralKey.AmdVcek k -> k.path();
            default -> throw new FetchException(name() + " does not serve " + key.describe());
        };
        URI uri = URI.create(base + path);
        HttpFetch.Answer a = paced(uri, now);
        return new CollateralEntry(key, a.body(), Optional.empty(), uri.toString(), now);
    }

    /**
     * One request at a time, each sent at least {@code minInterval} after the previous one ended, so that AMD sees them
     * spaced out however long each took.
     */
    private synchronized HttpFetch.Answer paced(URI uri, Instant now) throws FetchException {
        pause();
        try {
            return http.get(uri, "*/*", MAX_BYTES, now);
        } finally {
            nextAllowedNanos = System.nanoTime() + minInterval.toNanos();
        }
    }

    private void pause() throws FetchException {
        long wait = nextAllowedNanos - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(Duration.ofNanos(wait));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FetchException(base + ": interrupted while pacing requests to AMD KDS");
            }
        }
    }
}
