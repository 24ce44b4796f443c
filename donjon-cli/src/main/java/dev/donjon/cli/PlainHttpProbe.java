package dev.donjon.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * A registry host written in a package name ({@code 127.0.0.1:8080/alice/app:1.0.0}) always means HTTPS. Against a
 * plain-HTTP server the TLS handshake gets no answer (the server waits for a request line), an HTTP error where a TLS
 * record should be, or a closed connection, and the request would time out after seconds, or fail in the TLS library's
 * words. So before the first request: a TLS handshake that does not complete within {@link #HANDSHAKE_WAIT_MS} is
 * followed by a plain {@code HEAD /}; a server that answers it in HTTP is plain HTTP, and the command stops at once with
 * a hint. A TLS server that completes the handshake is never sent plaintext (nor is anything secret, ever).
 */
final class PlainHttpProbe {
    static final int HANDSHAKE_WAIT_MS = 700;
    private static final int CONNECT_MS = 10_000, PLAIN_ANSWER_MS = 2_000;

    private PlainHttpProbe() {}

    /**
     * Fails fast when {@code base} (an https URL made from a host in a package name) speaks plain HTTP; returns quietly
     * in every other case, including TLS failures, which the real request then reports.
     *
     * @param name what the user wrote, for the hint (or null)
     */
    static void requireHttps(URI base, SSLContext tls, String name) {
        if (!"https".equals(base.getScheme()) || base.getHost() == null) return;
        int port = base.getPort() < 0 ? 443 : base.getPort();
        if (!handshakeUnanswered(base.getHost(), port, tls) || !answersPlainHttp(base.getHost(), port)) return;
        String hostPort = base.getHost() + (base.getPort() < 0 ? "" : ":" + base.getPort());
        String rest = name != null && name.startsWith(hostPort + "/") ? name.substring(hostPort.length() + 1) : null;
        throw new ExitCodeException(
                OneLineErrors.FAILURE,
                hostPort + " speaks plain HTTP, not HTTPS (a registry host in a name always means"
                        + " https://): for a plain-HTTP registry give --registry http://" + hostPort
                        + " (or DONJON_REGISTRY) and leave the host out of"
                        + " the name" + (rest == null ? "" : ": " + rest));
    }

    /**
     * True when a TLS handshake got no answer in time or an answer that is no TLS (a plain-HTTP server either waits for
     * a request it understands or answers the ClientHello with an HTTP error); false when it completed or nothing
     * listens (nothing to add then: the real request says what is wrong).
     */
    private static boolean handshakeUnanswered(String host, int port, SSLContext tls) {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(host, port), CONNECT_MS);
            plain.setSoTimeout(HANDSHAKE_WAIT_MS);
            SSLContext context = tls != null ? tls : SSLContext.getDefault();
            try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true)) {
                s.startHandshake();
                return false;
            }
        } catch (SocketTimeoutException | SSLException e) {
            // no answer, an answer that is no TLS record, or the connection closed on the ClientHello (a plain-HTTP
            // server
            // does any of these); a TLS server whose certificate is not trusted ends here too, and answers no plain
            // HEAD
            return true;
        } catch (RuntimeException e) {
            return false;
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            return false;
        }
    }

    private static boolean answersPlainHttp(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), CONNECT_MS);
            s.setSoTimeout(PLAIN_ANSWER_MS);
            s.getOutputStream()
                    .write(("HEAD / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            byte[] first = in.readNBytes(5);
            return new String(first, StandardCharsets.US_ASCII).equals("HTTP/");
        } catch (IOException e) {
            return false;
        }
    }
}
