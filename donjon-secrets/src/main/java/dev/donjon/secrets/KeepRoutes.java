package dev.donjon.secrets;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.Arrays;

/**
 * What Keeps ask for, on the Keep listener (mutual TLS): {@code GET /v1/secrets/{name}}. 200 answers the value
 * ({@code application/octet-stream}, {@code Donjon-Secret-Version}, never cached); 401, 403, 404 and 500 answer one
 * line of {@code text/plain} naming why. Every route of this listener decides through {@link SecretBroker#release},
 * which checks the client certificate first.
 */
final class KeepRoutes implements HttpService {

    private final SecretBroker broker;

    KeepRoutes(SecretBroker broker) { this.broker = broker; }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/{name}", this::release);
    }

    private void release(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        switch (broker.release(req.remotePeer().tlsCertificates(), name, BrokerServer.remote(req))) {
            case SecretBroker.Decision.Released r -> {
                byte[] value = r.value();
                res.header(HeaderNames.CONTENT_TYPE, "application/octet-stream").header(HeaderNames.CACHE_CONTROL, "no-store")
                        .header("Donjon-Secret-Version", Long.toString(r.version()));
                try {
                    res.send(value);
                } finally {
                    Arrays.fill(value, (byte) 0);
                }
            }
            case SecretBroker.Decision.Refused r -> BrokerServer.text(res, r.status(), r.reason());
        }
    }
}
