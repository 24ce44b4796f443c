package dev.donjon.server;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One request and its answer, as a route handler sees them: path parameters, headers, the authenticated principal,
 * the body under a cap, and answers that are right for HEAD too. Wraps Helidon's request and response so that
 * services do not depend on the server library's API.
 */
public final class Exchange {
    private final ServerRequest request;
    private final ServerResponse response;
    private final Authenticator authenticator;
    private Principal principal;
    private String route = "unmatched";

    Exchange(ServerRequest request, ServerResponse response, Authenticator authenticator) {
        this.request = request;
        this.response = response;
        this.authenticator = authenticator;
    }

    public String method() {
        return request.prologue().method().text();
    }

    public boolean isHead() {
        return method().equals("HEAD");
    }

    /** The raw (still percent-encoded) path. */
    public String rawPath() {
        return request.path().rawPath();
    }

    /** A parameter of the route pattern ({@code {id}}), decoded. */
    public String pathParam(String name) {
        return request.path().pathParameters().get(name);
    }

    public Optional<String> header(String name) {
        return request.headers().first(HeaderNames.create(name));
    }

    public List<String> headers(String name) {
        return request.headers().all(HeaderNames.create(name), List::of);
    }

    /** The Content-Type's media type, lower case, without parameters; empty string when absent. */
    public String mediaType() {
        String t = header("Content-Type").orElse("");
        int semi = t.indexOf(';');
        return (semi < 0 ? t : t.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    }

    /** The declared Content-Length, if any. */
    public OptionalLong contentLength() {
        return request.headers().contentLength();
    }

    /** Who sent the request (verified credentials, or anonymous); a bad credential is a 401 {@link ApiError}. */
    public Principal principal() {
        if (principal == null) {
            principal = authenticator.authenticate(
                    header("Authorization").orElse(null), request.remotePeer().tlsCertificates());
        }
        return principal;
    }

    /**
     * The certificate chain the TLS client presented (leaf first), or empty. The listener's trust manager accepted it:
     * with a client CA ({@link ServerTls#of(List, java.security.PrivateKey, Optional, ServerTls.ClientAuth)}) it chains
     * there; a service whose own trust manager lets every chain through must judge it before trusting it.
     */
    public Optional<java.security.cert.Certificate[]> peerCertificates() {
        return request.remotePeer().tlsCertificates();
    }

    /** The client's address and port ({@code host:port}), for logs and audit records. */
    public String remote() {
        return request.remotePeer().host() + ":" + request.remotePeer().port();
    }

    /** The whole body, refused with 413 when larger than {@code max} bytes (checked on the declared length first). */
    public byte[] body(int max) {
        OptionalLong declared = contentLength();
        if (declared.isPresent() && declared.getAsLong() > max) throw tooLarge(max);
        try (InputStream in = request.content().inputStream()) {
            byte[] b = in.readNBytes(max + 1);
            if (b.length > max) throw tooLarge(max);
            return b;
        } catch (IOException | UncheckedIOException e) {
            throw ApiError.badRequest("request body could not be read: " + e.getMessage());
        }
    }

    private static ApiError tooLarge(int max) {
        return new ApiError(413, "request body larger than " + max + " bytes");
    }

    /** The body as a stream, for handlers that bound and check it themselves. */
    public InputStream bodyStream() {
        return request.content().inputStream();
    }

    /** Sets a response header. */
    public Exchange responseHeader(String name, String value) {
        response.header(HeaderNames.create(name), value);
        return this;
    }

    /** Answers with {@code body} (for HEAD: its headers and length only). */
    public void send(int status, String contentType, byte[] body) {
        response.status(Status.create(status));
        response.header(HeaderNames.CONTENT_TYPE, contentType);
        if (isHead()) {
            sendHead(body.length);
        } else {
            response.send(body);
        }
    }

    /** Answers with a one-line text body. */
    public void text(int status, String line) {
        send(status, "text/plain; charset=utf-8", (line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** For HEAD: the headers a GET would get, with {@code length} as its Content-Length and no body. */
    public void sendHead(long length) {
        // Helidon keeps a Content-Length that is already set and writes the (empty) entity as is
        response.header(HeaderValues.create(HeaderNames.CONTENT_LENGTH, Long.toString(length)));
        response.send(new byte[0]);
    }

    /** Starts a streamed answer of {@code length} bytes (or chunked when negative); the caller writes and closes. */
    public OutputStream stream(int status, String contentType, long length) {
        response.status(Status.create(status));
        response.header(HeaderNames.CONTENT_TYPE, contentType);
        if (length >= 0) response.header(HeaderValues.create(HeaderNames.CONTENT_LENGTH, Long.toString(length)));
        return response.outputStream();
    }

    /** Whether the request's body was read to its end (an unread body must be drained or the connection closed). */
    boolean bodyConsumed() {
        return request.content().consumed();
    }

    /** The route pattern that matched (a metrics label). */
    String route() {
        return route;
    }

    void route(String pattern) {
        this.route = pattern;
    }

    ServerRequest request() {
        return request;
    }

    ServerResponse response() {
        return response;
    }
}
