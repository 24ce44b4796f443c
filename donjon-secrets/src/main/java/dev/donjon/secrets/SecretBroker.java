package dev.donjon.secrets;

import dev.donjon.abi.csr.ClaimsExtension;
import dev.donjon.config.ConfigException;
import dev.donjon.config.DonjonConfig;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The broker's core, without HTTP. A release ({@link #release}) is decided in this order, refusing at the first
 * failure: a client certificate chaining to a configured Steward CA, valid now, for client authentication, with the
 * Steward's claims (401 otherwise); a known secret name (404); the secret's policy satisfied by the claims (403); the
 * value opening under the master key with its name, version and policy (500: the store was changed behind the
 * broker's back). Every decision is written to the audit log before the answer leaves. Operator changes are audited too.
 * Thread-safe.
 */
public final class SecretBroker {

    /** Largest secret value (a key, a certificate chain, a password): 1 MiB, the in-memory file cap of a Keep. */
    public static final int MAX_VALUE_BYTES = 1 << 20;

    private static final byte[] KEY_CHECK = "donjon-secrets key check v1".getBytes(StandardCharsets.US_ASCII);

    /** A release decision. */
    public sealed interface Decision {
        record Released(String name, long version, byte[] value) implements Decision {
            @Override
            public String toString() {
                return "Released[" + name + " v" + version + ", " + value.length + " bytes]";
            }
        }

        /** @param status 401, 403, 404 or 500; {@code reason} is one line, safe to send to the client */
        record Refused(int status, String reason) implements Decision {}
    }

    private final SecretStore store;
    private final MasterKey key;
    private final KeepCertificate keeps;
    private final AuditLog audit;
    private final BrokerMetrics metrics;
    private final Clock clock;

    /** @throws BrokerException the master key is not the one this store was first used with */
    public SecretBroker(
            SecretStore store,
            MasterKey key,
            List<X509Certificate> stewardCas,
            AuditLog audit,
            BrokerMetrics metrics,
            Clock clock)
            throws BrokerException {
        this.store = store;
        this.key = key;
        this.keeps = new KeepCertificate(stewardCas);
        this.audit = audit;
        this.metrics = metrics;
        this.clock = clock;
        checkKey();
    }

    private void checkKey() throws BrokerException {
        Optional<MasterKey.Sealed> check = store.keyCheck();
        if (check.isEmpty() && store.initKeyCheck(key.seal(KEY_CHECK, KEY_CHECK))) return;
        check = store.keyCheck();
        try {
            key.open(check.orElseThrow(), KEY_CHECK, "the store's key check");
        } catch (BrokerException e) {
            throw new BrokerException(
                    "the master key is not the one the secret store " + store.describe() + " was made with");
        }
    }

    public SecretStore store() {
        return store;
    }

    public BrokerMetrics metrics() {
        return metrics;
    }

    /** Decides one request of a Keep for {@code name}; never throws for bad input. */
    public Decision release(Optional<Certificate[]> peer, String name, String remote) {
        long start = System.nanoTime();
        try {
            return decide(peer, name, remote);
        } finally {
            metrics.releaseSeconds((System.nanoTime() - start) / 1e9);
        }
    }

    private Decision decide(Optional<Certificate[]> peer, String name, String remote) {
        Instant now = clock.instant();
        KeepCertificate.Result who = keeps.judge(peer, now);
        if (who instanceof KeepCertificate.Result.Rejected r) {
            return refuse(
                    now,
                    name,
                    401,
                    peer.isEmpty() || peer.get().length == 0 ? "no_certificate" : "certificate",
                    r.reason(),
                    r.leaf(),
                    Optional.empty(),
                    remote);
        }
        KeepCertificate.Result.Attested keep = (KeepCertificate.Result.Attested) who;
        Optional<X509Certificate> leaf = Optional.of(keep.leaf());
        Optional<ClaimsExtension> claims = Optional.of(keep.claims());
        try {
            DonjonConfig.checkSecretName(name, "secret name");
        } catch (ConfigException e) {
            return refuse(now, name, 404, "unknown_secret", e.getMessage(), leaf, claims, remote);
        }
        Optional<SecretRecord> stored;
        try {
            stored = store.get(name);
        } catch (BrokerException e) {
            return refuse(now, name, 500, "store", e.getMessage(), leaf, claims, remote);
        }
        if (stored.isEmpty())
            return refuse(now, name, 404, "unknown_secret", "no secret named '" + name + "'", leaf, claims, remote);
        SecretRecord s = stored.get();
        Optional<String> refusal = s.policy().refusal(keep.claims());
        if (refusal.isPresent())
            return refuse(
                    now,
                    name,
                    403,
                    "policy",
                    "secret '" + name + "' is not released to this Keep: " + refusal.get(),
                    leaf,
                    claims,
                    remote);
        byte[] value;
        try {
            value = key.open(s.value(), s.aad(), "secret '" + name + "' version " + s.version());
        } catch (BrokerException e) {
            return refuse(now, name, 500, "integrity", e.getMessage(), leaf, claims, remote);
        }
        audit.release(now, name, true, 200, Optional.of(s.version()), "released", leaf, claims, remote);
        metrics.decision(true, "released");
        return new Decision.Released(name, s.version(), value);
    }

    private Decision refuse(
            Instant now,
            String name,
            int status,
            String reasonClass,
            String reason,
            Optional<X509Certificate> leaf,
            Optional<ClaimsExtension> claims,
            String remote) {
        audit.release(now, name, false, status, Optional.empty(), reason, leaf, claims, remote);
        metrics.decision(false, reasonClass);
        return new Decision.Refused(status, reason);
    }

    // ---- operator ----

    /** Stores a new secret or replaces one (value and policy); the version goes up by one. */
    public SecretRecord put(String name, byte[] value, SecretPolicy policy, String remote) throws BrokerException {
        return write("put", name, Optional.of(value), Optional.of(policy), remote);
    }

    /** A new value for an existing secret, same policy; the version goes up by one. */
    public SecretRecord rotate(String name, byte[] value, String remote) throws BrokerException {
        return write("rotate", name, Optional.of(value), Optional.empty(), remote);
    }

    private SecretRecord write(
            String action, String name, Optional<byte[]> value, Optional<SecretPolicy> policy, String remote)
            throws BrokerException {
        try {
            DonjonConfig.checkSecretName(name, "secret name");
        } catch (ConfigException e) {
            throw new BrokerException(e.getMessage());
        }
        if (value.isPresent() && value.get().length > MAX_VALUE_BYTES)
            throw new BrokerException("a secret value is at most " + MAX_VALUE_BYTES + " bytes");
        for (int attempt = 0; attempt < 3; attempt++) {
            Instant now = clock.instant();
            Optional<SecretRecord> old = store.get(name);
            if (old.isEmpty() && policy.isEmpty())
                throw new BrokerException("no secret named '" + name + "' to rotate (put it first, with its policy)");
            long version = old.map(o -> o.version() + 1).orElse(1L);
            SecretPolicy p = policy.orElseGet(() -> old.orElseThrow().policy());
            byte[] v = value.orElseThrow();
            SecretRecord r = new SecretRecord(
                    name,
                    version,
                    p,
                    key.seal(v, SecretRecord.aad(name, version, p)),
                    old.map(SecretRecord::created).orElse(now),
                    now);
            if (store.put(r)) {
                audit.change(now, action, name, Optional.of(version), Optional.of(p), remote);
                metrics.operator(action, "done");
                return r;
            }
        }
        throw new BrokerException("secret '" + name + "' kept changing under this " + action + "; try again");
    }

    public boolean delete(String name, String remote) throws BrokerException {
        boolean gone = store.delete(name);
        if (gone) {
            audit.change(clock.instant(), "delete", name, Optional.empty(), Optional.empty(), remote);
            metrics.operator("delete", "done");
        }
        return gone;
    }

    public List<SecretRecord> list() throws BrokerException {
        return store.list();
    }

    /** An operator request without the right token: audited (what was asked, from where) and counted. */
    void operatorRefused(String request, String remote) {
        audit.operatorRefused(clock.instant(), request, remote);
        metrics.operator("any", "unauthorized");
    }
}
