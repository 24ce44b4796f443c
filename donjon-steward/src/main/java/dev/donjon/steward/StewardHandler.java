package dev.donjon.steward;

import dev.donjon.abi.csr.KeepCsr;
import dev.donjon.server.ApiError;
import dev.donjon.server.Exchange;
import dev.donjon.server.Routes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * The Steward's HTTP API, one route table ({@link #routes}):
 * <ul>
 * <li>{@code GET /}: health.</li>
 * <li>{@code POST /} with {@value #PKCS10} (one DER CSR): a DER {@code SEQUENCE OF Certificate}, CA first (PkiPath).</li>
 * <li>{@code POST /} with {@value #BUNDLE} (DER {@code SEQUENCE OF CertificationRequest}): as Enarx's steward, DER
 *     {@code Output ::= SEQUENCE { chain SEQUENCE OF Certificate, issued SEQUENCE OF Certificate }}, one issued
 *     certificate per request in request order; the first request that fails fails the whole bundle.</li>
 * <li>{@code POST /token} with {@value #PKCS10}: an EAR-shaped JWT ({@link AttestationTokens}).</li>
 * <li>{@code GET /jwks}: the token signing key; {@code GET /ca.pem}: the CA certificate (PEM). The edge adds {@code /metrics},
 *     {@code /healthz}, {@code /readyz}.</li>
 * </ul>
 * 400 malformed, 401 no (valid) attestation, 403 refused by policy, each with a one-line reason as text/plain.
 */
final class StewardHandler {
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

    Routes routes() {
        return new Routes()
                .get("/", this::health)
                .post("/", this::attest)
                .post("/token", this::token)
                .get("/jwks", this::jwks)
                .get("/ca.pem", this::caCertificate)
                .post("/nonce", this::nonce)
                .notFoundHint("(POST / to enroll, POST /nonce, POST /token, GET /ca.pem, GET /jwks, GET /metrics)");
    }

    /** The Steward throws nothing of its own: verdicts are values. */
    Optional<ApiError> mapError(Throwable failure) {
        return Optional.empty();
    }

    private void health(Exchange ex) {
        ex.text(
                200,
                steward.ca().generated()
                        ? "ok (DEBUG MODE: generated CA, certificates are worthless outside tests)"
                        : "ok");
    }

    /** A fresh enrollment nonce ({@link Steward#issueNonce}): 32 bytes, never cached. Nothing is read but a small body. */
    private void nonce(Exchange ex) {
        ex.body(1024);
        ex.responseHeader("Cache-Control", "no-store").send(200, "application/octet-stream", steward.issueNonce());
    }

    /** What a registry (--client-ca) or a client of Keeps must trust to recognise the Keeps this Steward certified. */
    private void caCertificate(Exchange ex) {
        ex.send(200, "application/x-pem-file", steward.ca().certificatePem().getBytes(StandardCharsets.US_ASCII));
    }

    private void jwks(Exchange ex) {
        if (tokens.isEmpty()) throw ApiError.notFound("tokens are disabled: the CA key cannot sign JWTs");
        ex.send(200, "application/jwk-set+json", tokens.get().jwks().getBytes(StandardCharsets.UTF_8));
    }

    private void attest(Exchange ex) throws IOException {
        String type = ex.mediaType();
        if (type.equals(PKCS10)) {
            byte[] body = ex.body(KeepCsr.MAX_BYTES);
            long start = System.nanoTime();
            Enrollment e = steward.enroll(body);
            metrics.verdict(e, System.nanoTime() - start);
            Enrollment.Issued issued = orFail(e);
            ex.send(200, PKIPATH, certificates(issued.certificates()).getEncoded("DER"));
            return;
        }
        if (type.equals(BUNDLE)) {
            List<byte[]> csrs = bundle(ex.body(KeepCsr.MAX_BYTES * MAX_BUNDLE));
            List<X509CertificateHolder> issued = new ArrayList<>();
            for (byte[] csr : csrs) {
                long one = System.nanoTime();
                Enrollment e = steward.enroll(csr);
                metrics.verdict(e, System.nanoTime() - one);
                issued.add(orFail(e).certificates().getLast());
            }
            ASN1Encodable[] output = {certificates(List.of(steward.ca().certificateHolder())), certificates(issued)};
            ex.send(200, BUNDLE, new DERSequence(output).getEncoded("DER"));
            return;
        }
        throw new ApiError(415, "Content-Type must be " + PKCS10 + " or " + BUNDLE);
    }

    private void token(Exchange ex) {
        if (tokens.isEmpty()) throw ApiError.notFound("tokens are disabled: the CA key cannot sign JWTs");
        if (!ex.mediaType().equals(PKCS10)) throw new ApiError(415, "Content-Type must be " + PKCS10);
        byte[] body = ex.body(KeepCsr.MAX_BYTES);
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
        ex.send(200, AttestationTokens.MEDIA_TYPE, jwt.getBytes(StandardCharsets.US_ASCII));
    }

    private static Enrollment.Issued orFail(Enrollment e) {
        return switch (e) {
            case Enrollment.Issued i -> i;
            case Enrollment.Malformed m -> throw new ApiError(400, "malformed: " + m.reason());
            case Enrollment.NoAttestation n -> throw new ApiError(401, "no attestation: " + n.reason());
            case Enrollment.Refused r -> throw new ApiError(403, "refused: " + r.reason());
        };
    }

    private static List<byte[]> bundle(byte[] body) {
        try {
            ASN1Primitive p = ASN1Primitive.fromByteArray(body);
            if (!java.util.Arrays.equals(p.getEncoded("DER"), body))
                throw ApiError.badRequest("malformed: bundle is not DER (or has trailing bytes)");
            ASN1Sequence seq = ASN1Sequence.getInstance(p);
            if (seq.size() == 0) throw ApiError.badRequest("malformed: the bundle holds no CSR");
            if (seq.size() > MAX_BUNDLE)
                throw ApiError.badRequest("malformed: the bundle holds more than " + MAX_BUNDLE + " CSRs");
            List<byte[]> out = new ArrayList<>();
            for (ASN1Encodable e : seq) out.add(e.toASN1Primitive().getEncoded("DER"));
            return out;
        } catch (ApiError e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw ApiError.badRequest("malformed: bundle is not a DER SEQUENCE OF CertificationRequest");
        }
    }

    private static DERSequence certificates(List<X509CertificateHolder> chain) {
        ASN1EncodableVector v = new ASN1EncodableVector();
        for (X509CertificateHolder c : chain) v.add(c.toASN1Structure());
        return new DERSequence(v);
    }
}
