package dev.donjon.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.donjon.host.agent.HostAgent;
import dev.donjon.host.client.AgentClient;
import dev.donjon.host.client.Appraisal;
import dev.donjon.host.client.Deployer;
import dev.donjon.host.client.TrustOptions;
import dev.donjon.host.protocol.ClientSession;
import dev.donjon.host.protocol.DeployContext;
import dev.donjon.host.protocol.KeepBinding;
import dev.donjon.host.protocol.KeepOffer;
import dev.donjon.host.protocol.WorkloadPackage;
import dev.donjon.platform.PlatformSettings;
import dev.donjon.platform.sim.SimAuthority;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Confidential deployment figures, host agent and client in this JVM, one Keep process per deployment, loopback:
 * <ol>
 * <li>time from {@code deploy} to the workload's first accepted connection (ROT13, a real reply read back), split into
 *     create + appraise, and seal + deliver + start;</li>
 * <li>Keeps per minute the agent creates (create -> offer -> stop) with N concurrent clients;</li>
 * <li>resident memory (VmRSS) per idle Keep: waiting for its package, and running an idle ROT13 server.</li>
 * </ol>
 * Usage: {@code DeployBench [--backend nil] [--spares 0] [--rounds 5] [--create-seconds 30] [--concurrency 2] [--idle 8]}
 */
public final class DeployBench {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static TrustOptions trust;

    public static void main(String[] args) throws Exception {
        // the agent at `donjon host serve`'s default level (warn), which its Keeps get too: the JDK's default (info)
        // would have every Keep start its JIT-refusal watch, a JDK Flight Recorder recording
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        String backend = "nil";
        int rounds = 5, createSeconds = 30, concurrency = 2, idle = 8, spares = 0;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--backend" -> backend = args[i + 1];
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--create-seconds" -> createSeconds = Integer.parseInt(args[i + 1]);
                case "--concurrency" -> concurrency = Integer.parseInt(args[i + 1]);
                case "--idle" -> idle = Integer.parseInt(args[i + 1]);
                case "--spares" -> spares = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        byte[] rot13 = Files.readAllBytes(Path.of("examples/rot13/rot13.wasm"));
        System.out.printf(
                "donjon deploy benchmark: backend %s, %d spare Keeps, %d CPUs, JDK %s, load average %s%n",
                backend,
                spares,
                Runtime.getRuntime().availableProcessors(),
                Runtime.version(),
                Files.readString(Path.of("/proc/loadavg")).strip());
        HostAgent.Config config = HostAgent.Config.defaults(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), backend)
                .withMaxKeeps(1000)
                .withSpareKeeps(spares);
        try (HostAgent agent = HostAgent.start(config)) {
            // a sim agent has made its chain by now; the client trusts it (insecure backends allowed: this is a
            // benchmark)
            Path simDir = PlatformSettings.fromEnvironment(System.getenv()).sim();
            trust = TrustOptions.insecure(
                    backend.equals("sim")
                            ? Optional.of(SimAuthority.load(simDir).chainPem())
                            : Optional.empty());
            deployToFirstConnection(agent, rot13, rounds, spares);
            keepsPerMinute(agent, createSeconds, concurrency);
            idleMemory(agent, rot13, idle);
        }
    }

    private static void deployToFirstConnection(HostAgent agent, byte[] rot13, int rounds, int spares)
            throws Exception {
        List<Double> total = new ArrayList<>(), create = new ArrayList<>(), start = new ArrayList<>();
        for (int r = 0; r <= rounds; r++) { // round 0 warms the agent's JVM (HTTP, HPKE, Jackson)
            int port = freePort();
            WorkloadPackage pkg = new WorkloadPackage(rot13, Optional.of(listen(port)), Map.of());
            AtomicLong trustedAt = new AtomicLong();
            Deployer d = new Deployer(Deployer.Options.to(agent.baseUri()), trust, new Deployer.Progress() {
                public void keepCreated(String keepId, String backend) {}

                public void trusted(Appraisal.Trusted appraisal) {
                    trustedAt.set(System.nanoTime());
                }

                public void sent(String keepId) {}
            });
            long t0 = System.nanoTime();
            CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return d.deploy(pkg, OutputStream.nullOutputStream(), OutputStream.nullOutputStream());
                } catch (Exception e) {
                    if (!String.valueOf(e.getMessage()).contains("stopped on request"))
                        System.out.println("  deployment failed: " + e.getMessage());
                    return -1;
                }
            });
            try (Socket s = connect(port, run)) {
                long accepted = System.nanoTime();
                s.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
                if (s.getInputStream().readNBytes(10).length != 10) throw new IOException("short ROT13 reply");
                if (r > 0) {
                    total.add(ms(accepted - t0));
                    create.add(ms(trustedAt.get() - t0));
                    start.add(ms(accepted - trustedAt.get()));
                }
            }
            d.stop();
            run.join();
            Thread.sleep(
                    spares > 0
                            ? 5000
                            : 500); // lets the agent start the next spare, as it would between real deployments
        }
        System.out.printf(
                "deploy -> first accepted connection (ROT13, %d rounds): median %.0f ms (min %.0f, max %.0f)%n",
                rounds, median(total), Collections.min(total), Collections.max(total));
        System.out.printf(
                "  of which create Keep + evidence appraised: median %.0f ms; seal + deliver + module start + accept: median %.0f ms%n",
                median(create), median(start));
    }

    private static void keepsPerMinute(HostAgent agent, int seconds, int concurrency) throws Exception {
        AtomicInteger created = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicLong keepCpuTicks = new AtomicLong();
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        long t0 = System.nanoTime();
        try (AgentClient client = new AgentClient(agent.baseUri());
                var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < concurrency; w++) {
                pool.submit(() -> {
                    while (System.nanoTime() < deadline) {
                        try {
                            KeepOffer offer =
                                    KeepOffer.parse(client.createKeep(nonce(), Optional.empty(), 64, Optional.empty()));
                            keepCpuTicks.addAndGet(cpuTicks(
                                    client.status(offer.keepId()).get("pid").asLong()));
                            client.stopKeep(offer.keepId());
                            created.incrementAndGet();
                        } catch (Exception e) {
                            if (failed.incrementAndGet() == 1) System.out.println("  first failure: " + e);
                        }
                    }
                    return null;
                });
            }
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        double cpuPerKeep = created.get() == 0 ? Double.NaN : keepCpuTicks.get() / 100.0 / created.get();
        System.out.printf(
                "Keeps created (process start -> key + evidence offer -> stop), %d concurrent clients, %.0f s: %d, i.e. %.0f Keeps/minute (%d failed)%n",
                concurrency, elapsed, created.get(), created.get() * 60 / elapsed, failed.get());
        System.out.printf(
                "  CPU per Keep from process start to its offer (user+sys of the Keep process): %.2f s, i.e. at most %.0f Keeps/minute"
                        + " on %d otherwise idle cores%n",
                cpuPerKeep,
                Runtime.getRuntime().availableProcessors() * 60 / cpuPerKeep,
                Runtime.getRuntime().availableProcessors());
    }

    private static void idleMemory(HostAgent agent, byte[] rot13, int count) throws Exception {
        try (AgentClient client = new AgentClient(agent.baseUri())) {
            List<String> waiting = new ArrayList<>();
            for (int i = 0; i < count; i++)
                waiting.add(KeepOffer.parse(client.createKeep(nonce(), Optional.empty(), 64, Optional.empty()))
                        .keepId());
            Thread.sleep(2000);
            report("waiting for its package", client, waiting);
            for (String id : waiting) client.stopKeep(id);

            List<String> serving = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                byte[] nonce = nonce();
                KeepOffer offer = KeepOffer.parse(client.createKeep(nonce, Optional.empty(), 64, Optional.empty()));
                ClientSession session =
                        ClientSession.start(offer.publicKey(), new DeployContext(offer.keepId(), nonce));
                WorkloadPackage pkg = new WorkloadPackage(rot13, Optional.of(listen(freePort())), Map.of());
                client.sendPackage(offer.keepId(), session.seal(pkg).encode());
                serving.add(offer.keepId());
            }
            Thread.sleep(3000);
            report("running an idle ROT13 server (64 MiB guest limit)", client, serving);
            for (String id : serving) client.stopKeep(id);
        }
    }

    private static void report(String what, AgentClient client, List<String> ids) throws Exception {
        List<Double> rss = new ArrayList<>();
        for (String id : ids) {
            JsonNode s = client.status(id);
            rss.add(rssMiB(s.get("pid").asLong()));
        }
        System.out.printf(
                "RSS per idle Keep, %s (%d Keeps): median %.1f MiB (min %.1f, max %.1f)%n",
                what, ids.size(), median(rss), Collections.min(rss), Collections.max(rss));
    }

    /** utime + stime of a process, in clock ticks (USER_HZ, 100 on Linux). */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static double rssMiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
        throw new IOException("no VmRSS for " + pid);
    }

    private static Socket connect(int port, CompletableFuture<Integer> run) throws Exception {
        while (true) {
            if (run.isDone()) throw new IOException("deployment ended with " + run.get() + " before accepting");
            try {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
                s.setSoTimeout(30_000);
                return s;
            } catch (IOException e) {
                Thread.sleep(2);
            }
        }
    }

    private static byte[] listen(int port) {
        return ("[[files]]\nkind = \"stdin\"\n[[files]]\nkind = \"stdout\"\n[[files]]\nkind = \"stderr\"\n"
                        + "[[files]]\nkind = \"listen\"\nprot = \"tcp\"\nname = \"ROT13\"\naddr = \"127.0.0.1\"\nport = "
                        + port + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] nonce() {
        byte[] n = new byte[KeepBinding.NONCE_BYTES];
        RANDOM.nextBytes(n);
        return n;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}
