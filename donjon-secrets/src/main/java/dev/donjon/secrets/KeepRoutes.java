package dev.donjon.secrets;

import dev.donjon.server.ApiError;
import dev.donjon.server.Exchange;
import dev.donjon.server.Routes;
import java.util.Arrays;

/**
 * What Keeps ask for, on the Keep listener (mutual TLS): {@code GET /v1/secrets/{name}}. 200 answers the value
 * ({@code application/octet-stream}, {@code Donjon-Secret-Version}, never cached); 401, 403, 404 and 500 answer one
 * line of {@code text/plain} naming why. The route decides through {@link SecretBroker#release}, which judges the
 * client certificate first; nothing else on this listener is about secrets.
 */
final class KeepRoutes {

    private final SecretBroker broker;

    KeepRoutes(SecretBroker broker) {
        this.broker = broker;
    }

    Routes routes() {
        return new Routes().get("/v1/secrets/{name}", this::release).notFoundHint("(Keeps ask GET /v1/secrets/NAME)");
    }

    private void release(Exchange ex) {
        // a HEAD would be a release decision (audited as released) whose value is never sent
        if (ex.isHead()) throw new ApiError(405, "method HEAD is not allowed here (GET)");
        switch (broker.release(ex.peerCertificates(), ex.pathParam("name"), ex.remote())) {
            case SecretBroker.Decision.Released r -> {
                byte[] value = r.value();
                try {
                    ex.responseHeader("Cache-Control", "no-store")
                            .responseHeader("Donjon-Secret-Version", Long.toString(r.version()))
                            .send(200, "application/octet-stream", value);
                } finally {
                    Arrays.fill(value, (byte) 0);
                }
            }
            case SecretBroker.Decision.Refused r -> ex.text(r.status(), r.reason());
        }
    }
}
