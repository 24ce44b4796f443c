package dev.donjon.steward;

import dev.donjon.abi.csr.KeepCsr;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.bouncycastle.cert.X509CertificateHolder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERSequence;

/**
 * The Steward's HTTP API:
 * <ul>
 * <li>{@code GET /}: health.</li>
 * <li>{@code POST /} with {@value #PKCS10} (one DER CSR): a DER {@code SEQUENCE OF Certificate}, CA first (PkiPath).</li>
 * <li>{@code POST /} with {@value #BUNDLE} (DER {@code SEQUENCE OF CertificationRequest}): as Enarx's steward, DER
 *     {@code Output ::= SEQUENCE { chain SEQUENCE OF Certificate, issued SEQUENCE OF Certificate }}, one issued
 *     certificate per request in request order; the first request that fails fails the whole bundle.</li>
 * <li>{@code POST /token} with {@value #PKCS10}: an EAR-shaped JWT ({@link AttestationTokens}).</li>
 * <li>{@code GET /jwks}: the token signing key; {@code GET /metrics}: Prometheus text.</li>
 * </ul>
 * 400 malformed, 401 no (valid) attestation, 403 refused by policy, each with a one-line reason as text/plain.
 */
final class StewardHandler implements HttpHandler {
    static final String PKCS10 = "application/pkcs10";
    static final String BUNDLE = "application/vnd.steward.pkcs10-bundle.v1";
    static final String PKIPATH = "application/pkix-pkipath";
    /** Most CSRs one bundle may carry. */
    static final int MAX_BUNDLE = 16;

    private static final Logger LOG = Logger.getLogger(StewardHandler.class.getName());

    private final Steward steward;
    private final StewardMetrics metrics;
    private final Optional<AttestationTokens> tokens;

    StewardHandler(Steward steward, StewardMetrics metrics) {
        this.steward = steward;
        this.metrics = metrics;
        Optional<AttestationTokens> t;
        try {
            t = Optional.of(new AttestationTokens(steward.ca()));
        } catch (IllegalArgumentException e) {
            LOG.warning("the token endpoint is disabled: " + e.getMessage());
            t = Optional.empty();
        }
        this.tokens = t;
    }

    StewardMetrics metrics() { return metrics; }

    /** An HTTP answer that is not a success: status and one line. */
    private static final class HttpFailure extends Exception {
        final int status;

        HttpFailure(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    @Override
    public void handle(HttpExchange ex) {
        String path = ex.getRequestURI().getRawPath();
        String endpoint = switch (path) {
            case "/", "/token", "/jwks", "/metrics" -> path;
            default -> "other";
        };
        int status;
        try {
            status = route(ex, path);
        } catch (HttpFailure f) {
            status = f.status;
            send(ex, status, "text/plain; charset=utf-8", (f.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            status = 499; // the client went away; nothing to answer
            LOG.log(Level.FINE, "connection failed", e);
        } catch (RuntimeException e) {
            status = 500;
            LOG.log(Level.WARNING, "unexpected failure", e);
            send(ex, status, "text/plain; charset=utf-8", "internal error\n".getBytes(StandardCharsets.UTF_8));
        } finally {
            ex.close();
        }
        metrics.request(endpoint, status);
    }

    private int route(HttpExchange ex, String path) throws IOException, HttpFailure {
        String method = ex.getRequestMethod();
        switch (path) {
            case "/" -> {
                if (method.equals("GET") || method.equals("HEAD")) {
                    String mode = steward.ca().generated() ? "ok (DEBUG MODE: generated CA, certificates are worthless outside tests)\n" : "ok\n";
                    return send(ex, 200, "text/plain; charset=utf-8", mode.getBytes(StandardCharsets.UTF_8));
                }
                requireMethod(method, "POST");
                return attest(ex);
            }
            case "/token" -> {
                requireMethod(method, "POST");
                return token(ex);
            }
            case "/jwks" -> {
                requireMethod(method, "GET");
                if (tokens.isEmpty()) throw new HttpFailure(404, "tokens are disabled: the CA key cannot sign JWTs");
                return send(ex, 200, "application/jwk-set+json", tokens.get().jwks().getBytes(StandardCharsets.UTF_8));
            }
            case "/metrics" -> {
                requireMethod(method, "GET");
                return send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.exposition().getBytes(StandardCharsets.UTF_8));
            }
            default -> throw new HttpFailure(404, "no such endpoint (POST / to enroll, POST /token, GET /metrics)");
        }
    }

    private static void requireMethod(String method, String allowed) throws HttpFailure {
        if (!method.equals(allowed)) throw new HttpFailure(405, "method " + printable(method) + " is not allowed here (" + allowed + ")");
    }

    private int attest(HttpExchange ex) throws IOException, HttpFailure {
        String type = contentType(ex);
        byte[] body = body(ex);
        long start = System.nanoTime();
        if (type.equals(PKCS10)) {
            Enrollment e = steward.enroll(body);
            metrics.verdict(e, System.nanoTime() - start);
            Enrollment.Issued issued = orFail(e);
            return send(ex, 200, PKIPATH, certificates(issued.certificates()).getEncoded("DER"));
        }
        if (type.equals(BUNDLE)) {
            List<byte[]> csrs = bundle(body);
            List<X509CertificateHolder> issued = new ArrayList<>();
            for (byte[] csr : csrs) {
                long one = System.nanoTime();
                Enrollment e = steward.enroll(csr);
                metrics.verdict(e, System.nanoTime() - one);
                issued.add(orFail(e).certificates().getLast());
            }
            ASN1Encodable[] output = {certificates(List.of(steward.ca().certificateHolder())), certificates(issued)};
            return send(ex, 200, BUNDLE, new DERSequence(output).getEncoded("DER"));
        }
        throw new HttpFailure(415, "Content-Type must be " + PKCS10 + " or " + BUNDLE);
    }

    private int token(HttpExchange ex) throws IOException, HttpFailure {
        if (tokens.isEmpty()) throw new HttpFailure(404, "tokens are disabled: the CA key cannot sign JWTs");
        if (!contentType(ex).equals(PKCS10)) throw new HttpFailure(415, "Content-Type must be " + PKCS10);
        byte[] body = body(ex);
        long start = System.nanoTime();
        Steward.AttestedCsr attested;
        try {
            attested = steward.attest(body);
        } catch (Denial d) {
            metrics.verdict(d.verdict(), System.nanoTime() - start);
            orFail(d.verdict());
            throw new IllegalStateException("unreachable");
        }
        String jwt = tokens.get().issue(attested.keep(), attested.csr().publicKey(), steward.now());
        metrics.verdict(new Enrollment.Issued(List.of(), attested.keep()), System.nanoTime() - start);
        return send(ex, 200, AttestationTokens.MEDIA_TYPE, jwt.getBytes(StandardCharsets.US_ASCII));
    }

    private static Enrollment.Issued orFail(Enrollment e) throws HttpFailure {
        return switch (e) {
            case Enrollment.Issued i -> i;
            case Enrollment.Malformed m -> throw new HttpFailure(400, "malformed: " + m.reason());
            case Enrollment.NoAttestation n -> throw new HttpFailure(401, "no attestation: " + n.reason());
            case Enrollment.Refused r -> throw new HttpFailure(403, "refused: " + r.reason());
        };
    }

    private static List<byte[]> bundle(byte[] body) throws HttpFailure {
        try {
            ASN1Primitive p = ASN1Primitive.fromByteArray(body);
            if (!java.util.Arrays.equals(p.getEncoded("DER"), body)) throw new HttpFailure(400, "malformed: bundle is not DER (or has trailing bytes)");
            ASN1Sequence seq = ASN1Sequence.getInstance(p);
            if (seq.size() == 0) throw new HttpFailure(400, "malformed: the bundle holds no CSR");
            if (seq.size() > MAX_BUNDLE) throw new HttpFailure(400, "malformed: the bundle holds more than " + MAX_BUNDLE + " CSRs");
            List<byte[]> out = new ArrayList<>();
            for (ASN1Encodable e : seq) out.add(e.toASN1Primitive().getEncoded("DER"));
            return out;
        } catch (IOException | RuntimeException e) {
            throw new HttpFailure(400, "malformed: bundle is not a DER SEQUENCE OF CertificationRequest");
        }
    }

    private static DERSequence certificates(List<X509CertificateHolder> chain) {
        ASN1EncodableVector v = new ASN1EncodableVector();
        for (X509CertificateHolder c : chain) v.add(c.toASN1Structure());
        return new DERSequence(v);
    }

    private static String contentType(HttpExchange ex) {
        String t = ex.getRequestHeaders().getFirst("Content-Type");
        if (t == null) return "";
        int semi = t.indexOf(';');
        return (semi < 0 ? t : t.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    }

    /** Reads the body, refusing more than {@link KeepCsr#MAX_BYTES} (a bundle: that times {@link #MAX_BUNDLE}). */
    private static byte[] body(HttpExchange ex) throws IOException, HttpFailure {
        int cap = KeepCsr.MAX_BYTES;
        String declared = ex.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.strip()) > cap) throw new HttpFailure(413, "request body larger than " + cap + " bytes");
            } catch (NumberFormatException e) {
                throw new HttpFailure(400, "malformed: bad Content-Length");
            }
        }
        try (InputStream in = ex.getRequestBody()) {
            byte[] body = in.readNBytes(cap + 1);
            if (body.length > cap) throw new HttpFailure(413, "request body larger than " + cap + " bytes");
            return body;
        }
    }

    private static int send(HttpExchange ex, int status, String type, byte[] body) {
        try {
            ex.getResponseHeaders().set("Content-Type", type);
            boolean head = ex.getRequestMethod().equals("HEAD");
            ex.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
            if (!head && body.length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "cannot send the response", e);
        }
        return status;
    }

    private static String printable(String s) {
        String t = s.length() > 32 ? s.substring(0, 32) + "..." : s;
        return t.replaceAll("[^\\x21-\\x7e]", "?");
    }
}
