package dev.donjon.host.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.donjon.host.client.AgentClient;
import dev.donjon.host.protocol.ClientSession;
import dev.donjon.host.protocol.DeployContext;
import dev.donjon.host.protocol.KeepBinding;
import dev.donjon.host.protocol.KeepOffer;
import dev.donjon.host.protocol.OutputFrame;
import dev.donjon.host.protocol.WorkloadPackage;
import dev.donjon.server.Authenticator;
import dev.donjon.server.Limits;
import dev.donjon.server.TokenFile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * One client of the agent's HTTP API, speaking as a named principal: a bearer token from the token file
 * {@link #tokens()} gives the agent, checked by the edge's real authenticator. Raw HTTP, so that tests see every status
 * code, as an attacker would.
 */
final class Tenant {
    private static final List<String> NAMES = List.of("alice", "bob", "mallory");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** A created Keep and the session its creator seals with. */
    record Created(KeepOffer offer, ClientSession session) {
        String id() {
            return offer.keepId();
        }
    }

    private final URI base;
    private final Optional<String> name;

    Tenant(URI base, Optional<String> name) {
        this.base = base;
        this.name = name;
    }

    static Tenant named(HostAgent agent, String name) {
        return new Tenant(agent.baseUri(), Optional.of(name));
    }

    static Tenant anonymous(HostAgent agent) {
        return new Tenant(agent.baseUri(), Optional.empty());
    }

    /**
     * Bearer tokens for alice, bob and mallory, over plain HTTP: the edge's own token authentication without the
     * tests' TLS ceremony (AgentAttackTest covers TLS and client certificates). A request without a token is the
     * insecure agent's anonymous principal.
     */
    static AgentSecurity tokens() throws IOException {
        Path file = Files.createTempFile("tenants", ".tokens");
        try {
            StringBuilder lines = new StringBuilder();
            for (String n : NAMES) lines.append(token(n)).append(' ').append(n).append(" keeps\n");
            Files.writeString(file, lines);
            Authenticator auth = new Authenticator(Optional.of(TokenFile.load(file)), Optional.empty(), false);
            return new AgentSecurity(Optional.empty(), auth, true, Limits.defaults(), Optional.empty());
        } finally {
            Files.delete(file);
        }
    }

    private static String token(String name) {
        return "tenant-" + name + "-token-0123456789";
    }

    HttpResponse<byte[]> send(String method, String path, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        name.ifPresent(n -> b.header("Authorization", "Bearer " + token(n)));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** POST /v1/keeps with a fresh nonce and this guest memory limit: the raw answer. */
    HttpResponse<byte[]> createRaw(byte[] nonce, int memoryMiB) throws Exception {
        String body = "{\"nonce\":\"" + Base64.getEncoder().encodeToString(nonce) + "\",\"limits\":{\"memoryMiB\":"
                + memoryMiB + "}}";
        return send("POST", "/v1/keeps", body.getBytes());
    }

    Created create(int memoryMiB) throws Exception {
        byte[] nonce = new byte[KeepBinding.NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        HttpResponse<byte[]> r = createRaw(nonce, memoryMiB);
        if (r.statusCode() != 201)
            throw new AssertionError("create: HTTP " + r.statusCode() + " " + new String(r.body()));
        KeepOffer offer = KeepOffer.parse(r.body());
        return new Created(offer, ClientSession.start(offer.publicKey(), new DeployContext(offer.keepId(), nonce)));
    }

    int feed(Created k, WorkloadPackage pkg) throws Exception {
        return feed(k, k.session().seal(pkg).encode());
    }

    /** Posts already sealed bytes (a session seals one package only). */
    int feed(Created k, byte[] sealed) throws Exception {
        return send("POST", "/v1/keeps/" + k.id() + "/package", sealed).statusCode();
    }

    JsonNode status(String id) throws Exception {
        HttpResponse<byte[]> r = send("GET", "/v1/keeps/" + id, null);
        if (r.statusCode() != 200) throw new AssertionError("status: HTTP " + r.statusCode());
        return JSON.readTree(r.body());
    }

    JsonNode list() throws Exception {
        return JSON.readTree(send("GET", "/v1/keeps", null).body());
    }

    /** Waits until the Keep's state is {@code state} (at most 30 s). */
    JsonNode awaitState(String id, String state) throws Exception {
        JsonNode s = status(id);
        for (int i = 0; i < 600 && !s.get("state").asText().equals(state); i++) {
            Thread.sleep(50);
            s = status(id);
        }
        if (!s.get("state").asText().equals(state)) throw new AssertionError("still " + s);
        return s;
    }

    /** Reads the whole output stream and decrypts it: the guest's stdout, and the end notice if the stream had one. */
    record Output(byte[] stdout, boolean exited, Optional<String> notice) {}

    Output output(Created k) throws Exception {
        HttpResponse<byte[]> r = send("GET", "/v1/keeps/" + k.id() + "/output", null);
        if (r.statusCode() != 200) throw new AssertionError("output: HTTP " + r.statusCode());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean exited = false;
        Optional<String> notice = Optional.empty();
        var in = new ByteArrayInputStream(r.body());
        for (Optional<AgentClient.OutputRecord> rec; (rec = AgentClient.next(in)).isPresent(); ) {
            switch (rec.get()) {
                case AgentClient.OutputRecord.Chunk c -> {
                    OutputFrame f = k.session().output().open(c.ciphertext());
                    if (f instanceof OutputFrame.Stdout s) out.write(s.data());
                    if (f instanceof OutputFrame.Exit) exited = true;
                }
                case AgentClient.OutputRecord.Notice n -> notice = Optional.of(n.text());
            }
        }
        return new Output(out.toByteArray(), exited, notice);
    }
}
