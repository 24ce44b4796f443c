package dev.donjon.collateral;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * Intel's Provisioning Certification Service, API v4, or a PCCS the operator runs (same paths):
 * <pre>
 * GET {base}/{sgx|tdx}/certification/v4/tcb?fmspc=FMSPC        TCB Info      header TCB-Info-Issuer-Chain (v3: SGX-TCB-Info-Issuer-Chain)
 * GET {base}/{sgx|tdx}/certification/v4/qe/identity            QE Identity   header SGX-Enclave-Identity-Issuer-Chain
 * GET {base}/sgx/certification/v4/pckcrl?ca=processor|platform&amp;encoding=der   PCK CRL   header SGX-PCK-CRL-Issuer-Chain
 * GET {rootCrl}                                                 root CA CRL: Intel's certificates.trustedservices.intel.com
 *                                                               for the PCS, {base}/sgx/certification/v4/rootcacrl for a PCCS
 * </pre>
 * Issuer chains come URL-encoded in the headers; they are kept as PEM beside the exact body bytes.
 */
public final class PcsClient implements CollateralSource {

    public static final URI INTEL = URI.create("https://api.trustedservices.intel.com");
    static final URI INTEL_ROOT_CRL = URI.create("https://certificates.trustedservices.intel.com/IntelSGXRootCA.der");
    private static final int MAX_JSON = 1 << 20;
    private static final int MAX_CRL = 4 << 20;

    private final URI base;
    private final URI rootCrl;
    private final HttpFetch http;

    public PcsClient(URI base, Optional<URI> rootCrl, HttpClient http) {
        this.base = trimmed(base);
        this.rootCrl = rootCrl.orElseGet(
                () -> this.base.getHost() != null && this.base.getHost().equals(INTEL.getHost())
                        ? INTEL_ROOT_CRL
                        : URI.create(this.base + "/sgx/certification/v4/rootcacrl"));
        this.http = new HttpFetch(http);
    }

    /** {@code base} (Intel's PCS, or a PCCS) over the JDK's anchors, or {@code tls}'s for a PCCS with a private CA. */
    public static PcsClient of(URI base, Optional<javax.net.ssl.SSLContext> tls) {
        return new PcsClient(base, Optional.empty(), HttpFetch.client(tls));
    }

    @Override
    public String name() {
        return base.toString();
    }

    @Override
    public boolean serves(CollateralKey key) {
        return key instanceof CollateralKey.IntelTcbInfo
                || key instanceof CollateralKey.IntelQeIdentity
                || key instanceof CollateralKey.IntelPckCrl
                || key instanceof CollateralKey.IntelRootCrl;
    }

    @Override
    public CollateralEntry fetch(CollateralKey key, Instant now) throws FetchException {
        return switch (key) {
            case CollateralKey.IntelTcbInfo k ->
                signed(
                        k,
                        base + "/" + k.tee().wireName() + "/certification/v4/tcb?fmspc="
                                + k.fmspc().toUpperCase(Locale.ROOT),
                        now,
                        "TCB-Info-Issuer-Chain",
                        "SGX-TCB-Info-Issuer-Chain");
            case CollateralKey.IntelQeIdentity k ->
                signed(
                        k,
                        base + "/" + k.tee().wireName() + "/certification/v4/qe/identity",
                        now,
                        "SGX-Enclave-Identity-Issuer-Chain");
            case CollateralKey.IntelPckCrl k -> {
                URI uri = URI.create(base + "/sgx/certification/v4/pckcrl?ca=" + k.ca().parameter() + "&encoding=der");
                HttpFetch.Answer a = http.get(uri, "application/pkix-crl, application/x-pem-file", MAX_CRL, now);
                yield new CollateralEntry(
                        k, a.body(), Optional.of(chain(a, uri, "SGX-PCK-CRL-Issuer-Chain")), uri.toString(), now);
            }
            case CollateralKey.IntelRootCrl k -> {
                HttpFetch.Answer a = http.get(rootCrl, "application/pkix-crl", MAX_CRL, now);
                yield new CollateralEntry(k, derOrHex(a.body()), Optional.empty(), rootCrl.toString(), now);
            }
            default -> throw new FetchException(name() + " does not serve " + key.describe());
        };
    }

    private CollateralEntry signed(CollateralKey key, String url, Instant now, String... chainHeaders)
            throws FetchException {
        URI uri = URI.create(url);
        HttpFetch.Answer a = http.get(uri, "application/json", MAX_JSON, now);
        return new CollateralEntry(key, a.body(), Optional.of(chain(a, uri, chainHeaders)), uri.toString(), now);
    }

    private static String chain(HttpFetch.Answer a, URI uri, String... headers) throws FetchException {
        String value = a.header(headers)
                .orElseThrow(() -> new FetchException(uri + " answered without the " + headers[0] + " header"));
        return HttpFetch.decodeChain(value);
    }

    /** Older PCCS versions answer the root CRL as hex text; the PCS as DER. */
    private static byte[] derOrHex(byte[] body) {
        String s = new String(body, StandardCharsets.US_ASCII).strip();
        if (!s.isEmpty() && s.length() % 2 == 0 && s.chars().allMatch(c -> Character.digit(c, 16) >= 0))
            return HexFormat.of().parseHex(s);
        return body;
    }

    private static URI trimmed(URI u) {
        String s = u.toString();
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        if (!s.startsWith("https://") && !s.startsWith("http://"))
            throw new IllegalArgumentException("the PCS URL must be https://..., not " + u);
        return URI.create(s);
    }
}
