package dev.donjon.keep;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * How the Keep talks to a service it was told to reach (its Steward, a secret broker): HTTP/1.1, no redirects (an
 * answer comes from the URL the owner named or not at all), bounded waits, and every way an exchange cannot be made
 * turned into one {@link KeepException} line that names the service.
 */
final class ServiceCall {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private ServiceCall() {}

    /** A client whose TLS is {@code tls} (trust anchors for the service, and the Keep's certificate when it presents one). */
    static HttpClient client(SSLContext tls) {
        return HttpClient.newBuilder()
                .sslContext(tls)
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /**
     * @param service  names the service in messages, e.g. {@code the Steward at https://steward.example/}
     * @param caOption the option that adds the service's CA, for a failed TLS handshake, e.g. {@code --steward-ca}
     */
    static <T> HttpResponse<T> send(
            HttpClient http, HttpRequest request, HttpResponse.BodyHandler<T> body, String service, String caOption) {
        try {
            return http.send(request, body);
        } catch (HttpConnectTimeoutException e) {
            throw new KeepException(
                    "cannot reach " + service + ": no connection within " + CONNECT_TIMEOUT.toSeconds() + " s", e);
        } catch (HttpTimeoutException e) {
            throw new KeepException(
                    capitalized(service) + " did not answer within " + REQUEST_TIMEOUT.toSeconds() + " s", e);
        } catch (ConnectException e) {
            // the JDK's client reports an unresolvable name as a ConnectException too
            String why = unresolvable(e)
                    ? "the host name " + request.uri().getHost() + " does not resolve"
                    : "connection refused";
            throw new KeepException("cannot reach " + service + ": " + why, e);
        } catch (SSLException e) {
            throw new KeepException(
                    "TLS with " + service + " failed: " + rootMessage(e) + " (is its CA trusted? add it with "
                            + caOption + ")",
                    e);
        } catch (IOException e) {
            throw new KeepException("cannot reach " + service + ": " + rootMessage(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeepException("the exchange with " + service + " was interrupted", e);
        }
    }

    /** The innermost cause's message, first line only. */
    private static boolean unresolvable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) return true;
        }
        return false;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }

    private static String capitalized(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
