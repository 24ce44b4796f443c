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
 * plain-HTTP server the TLS handshake gets no answer at all (the server waits for a request line), and the request
 * would only time out, after seconds, with nothing to say why. So before the first request: a TLS handshake that gets
 * no answer within {@link #HANDSHAKE_WAIT_MS} is followed by a plain {@code HEAD /}; a server that answers it in HTTP is
 * plain HTTP, and the command stops at once with a hint. A TLS server that answers in time is never sent plaintext.
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
        throw new ExitCodeException(OneLineErrors.FAILURE, hostPort + " speaks plain HTTP, not HTTPS (a registry host in a name always means"
                + " https://): for a plain-HTTP registry give --registry http://" + hostPort + " (or DONJON_REGISTRY) and leave the host out of"
                + " the name" + (rest == null ? "" : ": " + rest));
    }

    /** True when a TLS handshake got no answer in time; false when it completed or failed (nothing to add then). */
    private static boolean handshakeUnanswered(String host, int port, SSLContext tls) {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(host, port), CONNECT_MS);
            plain.setSoTimeout(HANDSHAKE_WAIT_MS);
            SSLContext context = tls != null ? tls : SSLContext.getDefault();
            try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true)) {
                s.startHandshake();
                return false;
            }
        } catch (SocketTimeoutException e) {
            return true;
        } catch (SSLException | RuntimeException e) {
            return false;
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            return false;
        }
    }

    private static boolean answersPlainHttp(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), CONNECT_MS);
            s.setSoTimeout(PLAIN_ANSWER_MS);
            s.getOutputStream().write(("HEAD / HTTP/1.0\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            byte[] first = in.readNBytes(5);
            return new String(first, StandardCharsets.US_ASCII).equals("HTTP/");
        } catch (IOException e) {
            return false;
        }
    }
}
