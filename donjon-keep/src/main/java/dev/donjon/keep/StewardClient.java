package dev.donjon.keep;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;

/**
 * Enrolls a Keep with a Steward, as Enarx Keeps do: {@code POST} the DER CSR as {@code application/pkcs10}, get back a
 * DER {@code SEQUENCE OF Certificate}. Before that the Keep asks for a nonce ({@link #nonce}), which a Donjon Steward
 * hands out and an Enarx Steward does not know (its CSR is then exactly Enarx's). The Steward's server certificate is checked by the given context (its trust
 * anchors) and its host name by the HTTP client. A refusal becomes a {@link KeepException} carrying the Steward's
 * one-line reason; so does a Steward that cannot be reached.
 */
public final class StewardClient {

    static final Duration REQUEST_TIMEOUT = ServiceCall.REQUEST_TIMEOUT;
    /** An answer larger than this is not a certificate chain. */
    static final int MAX_ANSWER = 256 * 1024;

    private final HttpClient http;

    /** @param tls judges the Steward's server certificate (trust managers only; no client certificate is sent) */
    public StewardClient(SSLContext tls) {
        this.http = ServiceCall.client(tls);
    }

    /**
     * Asks the Steward for a freshness nonce: {@code POST <steward>/nonce}.
     *
     * @return the nonce, or empty when the Steward has no such endpoint (404, 405: an Enarx Steward, which takes CSRs
     *     without one)
     * @throws KeepException unreachable, or any other answer (a Steward that fails here would fail the enrollment too)
     */
    public java.util.Optional<byte[]> nonce(URI steward) {
        String base = steward.toString();
        URI uri = URI.create(base.endsWith("/") ? base + "nonce" : base + "/nonce");
        HttpResponse<byte[]> response = send(
                steward,
                HttpRequest.newBuilder(uri)
                        .timeout(REQUEST_TIMEOUT)
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build());
        int status = response.statusCode();
        if (status == 404 || status == 405) return java.util.Optional.empty();
        if (status != 200) {
            throw new KeepException(
                    "the Steward at " + steward + " refused a nonce (HTTP " + status + "): " + reason(response.body()));
        }
        byte[] nonce = response.body();
        if (nonce.length < 16 || nonce.length > 64) {
            throw new KeepException("the Steward at " + steward + " answered a nonce of " + nonce.length
                    + " bytes (16 to 64 expected)");
        }
        return java.util.Optional.of(nonce);
    }

    /**
     * @return the certificates the Steward issued, in the order it sent them (Enarx and Donjon: CA first)
     * @throws KeepException refused (with the Steward's reason), unreachable, or an answer that is not a chain
     */
    public List<X509Certificate> enroll(URI steward, byte[] csr) {
        HttpRequest request = HttpRequest.newBuilder(steward)
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/pkcs10")
                .POST(HttpRequest.BodyPublishers.ofByteArray(csr))
                .build();
        HttpResponse<byte[]> response = send(steward, request);
        int status = response.statusCode();
        if (status != 200) {
            throw new KeepException("the Steward at " + steward + " refused enrollment (HTTP " + status + "): "
                    + reason(response.body()));
        }
        return chain(steward, response.body());
    }

    /** One request to the Steward; every way it cannot be made is one line naming the Steward. */
    private HttpResponse<byte[]> send(URI steward, HttpRequest request) {
        return ServiceCall.send(
                http, request, HttpResponse.BodyHandlers.ofByteArray(), "the Steward at " + steward, "--steward-ca");
    }

    /** The Steward's text reason, first line only and without control characters (it reaches the user's terminal). */
    static String reason(byte[] body) {
        String text = new String(body, 0, Math.min(body.length, 1024), StandardCharsets.UTF_8).strip();
        String line = text.lines().findFirst().orElse("").replaceAll("\\p{Cntrl}", "?");
        return line.isEmpty() ? "no reason given" : line;
    }

    static List<X509Certificate> chain(URI steward, byte[] der) {
        if (der.length > MAX_ANSWER)
            throw new KeepException(
                    "the Steward at " + steward + " answered " + der.length + " bytes, not a certificate chain");
        try {
            ASN1Sequence seq = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(der));
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            List<X509Certificate> out = new ArrayList<>();
            for (ASN1Encodable c : seq) {
                out.add((X509Certificate) cf.generateCertificate(
                        new ByteArrayInputStream(c.toASN1Primitive().getEncoded("DER"))));
            }
            if (out.isEmpty()) throw new KeepException("the Steward at " + steward + " issued no certificate");
            return List.copyOf(out);
        } catch (IOException | CertificateException | IllegalArgumentException | ClassCastException e) {
            throw new KeepException(
                    "the Steward at " + steward + " answered something that is not a DER SEQUENCE OF Certificate: "
                            + ServiceCall.rootMessage(e),
                    e);
        }
    }
}
