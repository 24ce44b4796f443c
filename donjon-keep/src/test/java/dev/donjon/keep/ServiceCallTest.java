package dev.donjon.keep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/** What a Keep says when it cannot reach a service: the reason in words, not always "connection refused". */
class ServiceCallTest {

    @Test
    void aNameThatDoesNotResolveIsNotCalledARefusedConnection() throws Exception {
        // .invalid never resolves (RFC 6761)
        KeepException e = assertThrows(KeepException.class, () -> call(URI.create("https://steward.invalid:8443/")));
        assertEquals("cannot reach the Steward: the host name steward.invalid does not resolve", e.getMessage());
    }

    @Test
    void aClosedPortIsARefusedConnection() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        KeepException e = assertThrows(KeepException.class, () -> call(URI.create("https://127.0.0.1:" + port + "/")));
        assertEquals("cannot reach the Steward: connection refused", e.getMessage());
    }

    private static void call(URI uri) throws Exception {
        try (var http = ServiceCall.client(SSLContext.getDefault())) {
            ServiceCall.send(
                    http,
                    HttpRequest.newBuilder(uri).GET().build(),
                    HttpResponse.BodyHandlers.discarding(),
                    "the Steward",
                    "--steward-ca");
        }
    }
}
