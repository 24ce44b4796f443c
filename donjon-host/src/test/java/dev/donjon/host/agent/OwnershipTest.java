package dev.donjon.host.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 §2: a Keep belongs to the principal that created it. The attacks, as another tenant of the same agent would
 * make them: list, read, feed, stop someone else's Keep; and a package posted to a Keep before its offer.
 */
class OwnershipTest extends OneAgent {
    @Test
    void anotherPrincipalCanNeitherSeeNorFeedNorReadNorStopAKeep() throws Exception {
        start(nil().withSecurity(Tenant.tokens()));
        Tenant alice = Tenant.named(agent, "alice");
        Tenant mallory = Tenant.named(agent, "mallory");
        Tenant.Created k = alice.create(64);
        String keep = "/v1/keeps/" + k.id();

        assertEquals(0, mallory.list().size(), "mallory's list shows only mallory's Keeps");
        assertEquals(404, mallory.send("GET", keep, null).statusCode());
        assertEquals(404, mallory.send("GET", keep + "/output", null).statusCode());
        HttpResponse<byte[]> garbage =
                mallory.send("POST", keep + "/package", "garbage".getBytes(StandardCharsets.UTF_8));
        assertEquals(404, garbage.statusCode(), new String(garbage.body(), StandardCharsets.UTF_8));
        // even alice's own sealed package, replayed by mallory, does not reach the Keep
        byte[] sealed = k.session().seal(Workloads.hello()).encode();
        assertEquals(404, mallory.send("POST", keep + "/package", sealed).statusCode());
        assertEquals(404, mallory.send("DELETE", keep, null).statusCode());

        JsonNode status = alice.status(k.id());
        assertEquals("awaiting_package", status.get("state").asText(), "the Keep is untouched: " + status);
        assertEquals(1, alice.list().size());
        assertEquals(202, alice.feed(k, sealed));
        Tenant.Output out = alice.output(k);
        assertEquals("Hello, world!\n", new String(out.stdout(), StandardCharsets.UTF_8));
        assertTrue(out.exited());
        assertEquals(404, mallory.send("GET", keep + "/output", null).statusCode(), "not even after it ended");
    }

    @Test
    void aPackagePostedBeforeTheOfferIsNotRelayedAndTheKeepLives() throws Exception {
        // every request anonymous (plain HTTP today): the same principal, so only the agent's state check stands
        start(nil());
        Tenant victim = Tenant.anonymous(agent);
        Tenant attacker = Tenant.anonymous(agent);
        CompletableFuture<Tenant.Created> created = CompletableFuture.supplyAsync(() -> {
            try {
                return victim.create(64);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        String id = null;
        for (int i = 0; i < 3000 && id == null && !created.isDone(); i++) {
            for (JsonNode k : attacker.list()) {
                if (k.get("state").asText().equals("starting"))
                    id = k.get("keepId").asText();
            }
            if (id == null) Thread.sleep(5);
        }
        assertTrue(id != null, "the attacker saw the Keep while it was starting");
        HttpResponse<byte[]> early =
                attacker.send("POST", "/v1/keeps/" + id + "/package", new byte[] {'D', 'J', 'S', 'P', 1});
        assertEquals(409, early.statusCode(), new String(early.body(), StandardCharsets.UTF_8));
        assertTrue(new String(early.body(), StandardCharsets.UTF_8).contains("not made its offer yet"));

        Tenant.Created k = created.get(60, TimeUnit.SECONDS);
        assertEquals(id, k.id());
        assertEquals(202, victim.feed(k, Workloads.hello()));
        assertEquals("Hello, world!\n", new String(victim.output(k).stdout(), StandardCharsets.UTF_8));
    }

    @Test
    void principalsAreEqualOnlyWhenSchemeAndNameAre() {
        assertEquals(new Principal.Authenticated("token", "alice"), new Principal.Authenticated("token", "alice"));
        assertFalse(new Principal.Authenticated("token", "alice").equals(new Principal.Authenticated("mtls", "alice")));
        assertFalse(Principal.anonymous().equals(new Principal.Authenticated("token", "anonymous")));
        assertEquals("token:alice", new Principal.Authenticated("token", "alice").label());
    }
}
