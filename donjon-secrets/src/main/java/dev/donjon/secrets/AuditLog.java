package dev.donjon.secrets;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.donjon.abi.csr.ClaimsExtension;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;

/**
 * Every decision of the broker, one JSON object per line: releases and refusals (with the reason, the client's
 * certificate and its attested claims) and operator changes (with the policy). Never a secret value: the types written
 * here have no field that could hold one. The file is created owner-only and appended to; each line is flushed.
 * <pre>
 * {"time":"...","event":"release","decision":"released"|"refused","status":200|401|403|404,"secret":"db","version":3,
 *  "reason":"...","client":{"subject":"","issuer":"CN=...","serial":"hex","notAfter":"..."},
 *  "claims":{"tee":"sim","measurement":"hex","debug":false,"tcbStatus":..., "workload":{"slug":...,"digest":"sha-256:hex"}},
 *  "remote":"127.0.0.1:53422"}
 * {"time":"...","event":"put"|"rotate"|"delete","secret":"db","version":4,"policy":{...},"remote":"..."}
 * {"time":"...","event":"operator","decision":"refused","status":401,"request":"PUT /v1/admin/secrets/db","reason":"...","remote":"..."}
 * </pre>
 */
public final class AuditLog implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final OutputStream out;
    private final String where;

    private AuditLog(OutputStream out, String where) {
        this.out = out;
        this.where = where;
    }

    /** Appends to {@code file}, creating it owner-only (0600). */
    public static AuditLog append(Path file) throws BrokerException {
        try {
            if (!Files.exists(file)) {
                Path dir = file.toAbsolutePath().getParent();
                if (dir != null) Files.createDirectories(dir);
                Files.createFile(
                        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            return new AuditLog(Files.newOutputStream(file, StandardOpenOption.APPEND), file.toString());
        } catch (IOException e) {
            throw new BrokerException("cannot open the audit log " + file + ": " + e.getMessage());
        }
    }

    /** To a stream the caller owns (standard error, a test's buffer). */
    public static AuditLog to(OutputStream out, String where) {
        return new AuditLog(out, where);
    }

    public String where() {
        return where;
    }

    void release(
            Instant time,
            String secret,
            boolean released,
            int status,
            Optional<Long> version,
            String reason,
            Optional<X509Certificate> client,
            Optional<ClaimsExtension> claims,
            String remote) {
        ObjectNode n = JSON.createObjectNode()
                .put("time", time.toString())
                .put("event", "release")
                .put("decision", released ? "released" : "refused")
                .put("status", status)
                .put("secret", secret);
        version.ifPresent(v -> n.put("version", v));
        n.put("reason", reason);
        client.ifPresent(c -> {
            ObjectNode o = n.putObject("client");
            o.put("subject", c.getSubjectX500Principal().getName())
                    .put("issuer", c.getIssuerX500Principal().getName())
                    .put("serial", c.getSerialNumber().toString(16))
                    .put("notAfter", c.getNotAfter().toInstant().toString());
        });
        claims.ifPresent(c -> claims(n.putObject("claims"), c));
        n.put("remote", remote);
        write(n);
    }

    void change(
            Instant time,
            String event,
            String secret,
            Optional<Long> version,
            Optional<SecretPolicy> policy,
            String remote) {
        ObjectNode n = JSON.createObjectNode()
                .put("time", time.toString())
                .put("event", event)
                .put("secret", secret);
        version.ifPresent(v -> n.put("version", v));
        policy.ifPresent(p -> {
            try {
                n.set("policy", JSON.readTree(p.toJson()));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        n.put("remote", remote);
        write(n);
    }

    void operatorRefused(Instant time, String request, String remote) {
        write(JSON.createObjectNode()
                .put("time", time.toString())
                .put("event", "operator")
                .put("decision", "refused")
                .put("status", 401)
                .put("request", request)
                .put("reason", "operator token missing or wrong")
                .put("remote", remote));
    }

    private static void claims(ObjectNode o, ClaimsExtension c) {
        o.put("tee", c.tee()).put("measurement", c.measurementHex()).put("debug", c.debug());
        c.tcbStatus().ifPresent(t -> o.put("tcbStatus", t));
        c.workload().ifPresent(w -> {
            ObjectNode wo = o.putObject("workload");
            w.slug().ifPresent(s -> wo.put("slug", s));
            w.digest().ifPresent(d -> wo.put("digest", d.toString()));
        });
    }

    private synchronized void write(ObjectNode n) {
        try {
            out.write((n.toString() + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            // an unwritable audit log must not go unnoticed: the caller refuses what it cannot record
            throw new java.io.UncheckedIOException("cannot write the audit log " + where + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException ignored) {
            // closing at shutdown
        }
    }
}
