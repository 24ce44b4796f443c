package dev.donjon.host.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 §2-3: Keeps are admitted atomically against the Keep limit, the memory budget and per-principal quotas
 * (a limit of 3 once let 4 Keeps start; 30 Keeps of 4 GiB heap each were admitted on a 24 GB host).
 */
class AdmissionTest extends OneAgent {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long MIB = 1 << 20;
    /** Fires {@code n} creates at once (as {@code tenants[i % tenants.length]}) and returns their status codes. */
    private static List<Integer> createAtOnce(int n, int memoryMiB, Tenant... tenants) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> all = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                Tenant t = tenants[i % tenants.length];
                all.add(pool.submit(() -> {
                    byte[] nonce = new byte[32];
                    RANDOM.nextBytes(nonce);
                    go.await();
                    HttpResponse<byte[]> r = t.createRaw(nonce, memoryMiB);
                    assertTrue(
                            r.statusCode() == 201 || r.statusCode() == 503 || r.statusCode() == 429,
                            r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8));
                    return r.statusCode();
                }));
            }
            go.countDown();
            List<Integer> codes = new ArrayList<>();
            for (Future<Integer> f : all) codes.add(f.get(120, TimeUnit.SECONDS));
            return codes;
        }
    }

    private long alive() {
        return agent.list().stream()
                .filter(k -> k.state() != KeepProcess.State.ENDED)
                .count();
    }

    @Test
    void concurrentCreatesNeverPassTheKeepLimit() throws Exception {
        start(nil().withMaxKeeps(3));
        List<Integer> codes = createAtOnce(8, 32, Tenant.anonymous(agent));
        assertEquals(3, codes.stream().filter(c -> c == 201).count(), "created: " + codes);
        assertEquals(5, codes.stream().filter(c -> c == 503).count(), "refused: " + codes);
        assertEquals(3, alive());
    }

    @Test
    void concurrentCreatesNeverPassTheMemoryBudget() throws Exception {
        long bound = new KeepProcessMemory(64 * MIB).boundBytes();
        long budget = 2 * bound + MIB;
        start(nil().withMemoryBudget(budget));
        List<Integer> codes = createAtOnce(6, 64, Tenant.anonymous(agent));
        assertEquals(2, codes.stream().filter(c -> c == 201).count(), "created: " + codes);
        assertEquals(2, alive());
        assertTrue(agent.committedMemory() <= budget, agent.committedMemory() + " > " + budget);
        // the refusal says which limit, in MiB
        HttpResponse<byte[]> r = Tenant.anonymous(agent).createRaw(new byte[32], 64);
        assertEquals(503, r.statusCode());
        assertTrue(
                new String(r.body(), StandardCharsets.UTF_8).contains("memory budget"),
                new String(r.body(), StandardCharsets.UTF_8));
    }

    @Test
    void aSpareKeepGivesItsMemoryToARequest() throws Exception {
        long spareBound = KeepLimits.defaults().processMemory().boundBytes();
        long budget = spareBound + 20 * MIB; // room for the spare, or for one 64 MiB Keep, not both
        start(nil().withMemoryBudget(budget).withSpareKeeps(1));
        for (int i = 0; i < 600 && ProcessHandle.current().children().noneMatch(ProcessHandle::isAlive); i++)
            Thread.sleep(50);
        assertEquals(spareBound, agent.committedMemory(), "the spare holds its bound");
        Tenant.Created k = Tenant.anonymous(agent).create(64);
        assertEquals(
                new KeepProcessMemory(64 * MIB).boundBytes(),
                agent.committedMemory(),
                "the spare made way; no new one fits");
        assertEquals(202, Tenant.anonymous(agent).feed(k, Workloads.hello()));
    }

    @Test
    void aPrincipalOverItsQuotaIsRefusedAndOthersAreNot() throws Exception {
        start(nil().withSecurity(Tenant.tokens()).withQuota(2, 100 * MIB));
        Tenant alice = Tenant.named(agent, "alice");
        Tenant bob = Tenant.named(agent, "bob");
        Tenant.Created first = alice.create(64);
        HttpResponse<byte[]> over = alice.createRaw(new byte[32], 64);
        assertEquals(429, over.statusCode());
        assertTrue(
                new String(over.body(), StandardCharsets.UTF_8)
                        .contains("quota: token:alice's Keeps would have 128 MiB of guest memory"),
                new String(over.body(), StandardCharsets.UTF_8));
        bob.create(64);
        assertEquals(200, alice.send("DELETE", "/v1/keeps/" + first.id(), null).statusCode());
        // the stopped Keep's room comes back once its process has exited
        for (int i = 0; i < 200 && alice.createRaw(new byte[32], 32).statusCode() == 429; i++) Thread.sleep(50);
        assertEquals(2, alive());
    }

    @Test
    void concurrentAdmissionsKeepEveryLimit() throws Exception {
        KeepLimits small = new KeepLimits(16 * MIB, Optional.empty(), Optional.empty());
        KeepLimits large = new KeepLimits(200 * MIB, Optional.empty(), Optional.empty());
        long budget = 4 * large.processMemory().boundBytes();
        Admission admission = new Admission(new Admission.Limits(6, budget, new Admission.Quota(3, 300 * MIB)));
        Principal[] principals = {
            new Principal.Authenticated("t", "a"),
            new Principal.Authenticated("t", "b"),
            new Principal.Authenticated("t", "c"),
            Principal.anonymous()
        };
        AtomicInteger keeps = new AtomicInteger();
        AtomicLong memory = new AtomicLong();
        Map<Principal, AtomicInteger> perKeeps = new ConcurrentHashMap<>();
        Map<Principal, AtomicLong> perGuest = new ConcurrentHashMap<>();
        AtomicInteger admitted = new AtomicInteger();
        List<String> broken = java.util.Collections.synchronizedList(new ArrayList<>());
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(16)) {
            for (int t = 0; t < 16; t++) {
                pool.submit(() -> {
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    for (int i = 0; i < 3000; i++) {
                        Principal p = principals[r.nextInt(principals.length)];
                        KeepLimits l = r.nextBoolean() ? small : large;
                        Admission.Reservation res;
                        try {
                            res = admission.admit(p, l);
                        } catch (Admission.Refused e) {
                            continue;
                        }
                        admitted.incrementAndGet();
                        int k = keeps.incrementAndGet();
                        long m = memory.addAndGet(l.processMemory().boundBytes());
                        int pk = perKeeps.computeIfAbsent(p, x -> new AtomicInteger())
                                .incrementAndGet();
                        long pg = perGuest.computeIfAbsent(p, x -> new AtomicLong())
                                .addAndGet(l.maxMemoryBytes());
                        if (k > 6 || m > budget || pk > 3 || pg > 300 * MIB)
                            broken.add(k + " " + m + " " + pk + " " + pg);
                        Thread.onSpinWait();
                        perGuest.get(p).addAndGet(-l.maxMemoryBytes());
                        perKeeps.get(p).decrementAndGet();
                        memory.addAndGet(-l.processMemory().boundBytes());
                        keeps.decrementAndGet();
                        res.release();
                        res.release(); // twice is once
                    }
                });
            }
        }
        assertTrue(broken.isEmpty(), "limits passed: " + broken.subList(0, Math.min(5, broken.size())));
        assertTrue(admitted.get() > 1000, "admitted " + admitted.get());
        assertEquals(0, admission.committedBytes());
        assertEquals(0, admission.ownedKeeps());
    }
}
