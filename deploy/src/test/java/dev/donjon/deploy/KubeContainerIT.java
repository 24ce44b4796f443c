package dev.donjon.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.donjon.testing.LocalPostgres;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/k8s played with {@code podman kube play} (see {@link KubeManifests} for what podman 4.3 cannot run as written
 * and how each is stood in for): the Steward Deployment (2 pods, one CA from the "Secret"), the Drawbridge Deployment
 * (2 pods, one PostgreSQL catalog, one shared blob volume) and the agent DaemonSet's pod (host network). Every probe of
 * every container is made as the kubelet makes it (HTTP GET on the pod's address and the probe's port), since podman
 * runs httpGet probes only through systemd and curl, neither of which is here. Then ROT13 is published to one
 * Drawbridge pod and read back from the other. PostgreSQL is Debian's, on this host (the manifest's StatefulSet names
 * an image from Docker Hub, which these machines cannot pull).
 *
 * <p>Not run here: a deployment through the agent pod. Its Keep must reach the Steward and Drawbridge pods by name
 * (the manifest's {@code steward} and {@code drawbridge}; here only through the pod's {@code hostAliases}), and its
 * enrollment failed to connect: apparently podman 4.3 does not apply {@code hostAliases} to a pod on the host's
 * network. The same flow through the images, on the host's network, is ImagesContainerIT's.
 */
class KubeContainerIT {
    private static final Path K8S = Images.root().resolve("deploy/k8s");
    private static final String NETWORK = "podman-default-kube-network";

    @BeforeAll
    static void images() throws Exception {
        Images.build();
    }

    @Test
    void theManifestsRunAndServeOneRegistryFromTwoPods(@TempDir Path dir) throws Exception {
        Podman podman = new Podman(dir);
        if (podman.run("network", "exists", NETWORK).exit() != 0)
            podman.run("network", "create", NETWORK).ok("network create");
        String[] net = podman.run(
                        "network", "inspect", "--format", "{{range .Subnets}}{{.Gateway}} {{.Subnet}}{{end}}", NETWORK)
                .ok("network inspect")
                .out()
                .strip()
                .split(" ");
        String gateway = net[0], subnet = net[1];
        OperatorKit kit = new OperatorKit(dir, List.of("steward", "drawbridge", "agent"));
        int agentPort = OperatorKit.freePort(), agentAdmin = OperatorKit.freePort();
        kit.rot13Listens(OperatorKit.freePort());
        String id = Long.toHexString(System.nanoTime()).substring(4);

        kit.openToContainers();
        try (LocalPostgres postgres = LocalPostgres.reachableFrom(subnet);
                Containers c = new Containers(podman, kit)) {
            String database = postgres.createDatabase().replace("127.0.0.1", gateway);
            c.cli("platform", "sim-chain", "--out", "/sim/sim-chain.pem").ok("platform sim-chain");
            kit.simPolicy(
                    c.cli("platform", "info", "--backend", "sim")
                            .ok("platform info")
                            .out(),
                    "/etc/donjon/policy/sim-chain.pem");

            // what the Secrets, ConfigMaps and the volume claim hold, as directories
            Map<String, Path> volumes = new HashMap<>();
            volume(volumes, kit, "steward-ca", Map.of("ca.pem", "steward-ca.pem", "ca.key", "steward-ca.key"));
            volume(volumes, kit, "steward-tls", Map.of("tls.crt", "steward.pem", "tls.key", "steward.key"));
            volume(volumes, kit, "steward-policy", Map.of("policy.toml", "policy.toml"));
            Files.copy(
                    kit.sim.resolve("sim-chain.pem"),
                    volumes.get("steward-policy").resolve("sim-chain.pem"));
            volume(volumes, kit, "drawbridge-tls", Map.of("tls.crt", "drawbridge.pem", "tls.key", "drawbridge.key"));
            volume(volumes, kit, "drawbridge-tokens", Map.of("tokens", "tokens"));
            volume(volumes, kit, "steward-ca-cert", Map.of("ca.pem", "steward-ca.pem"));
            Files.writeString(kit.dir.resolve("db-password"), postgres.password());
            volume(volumes, kit, "drawbridge-db", Map.of("password", "db-password"));
            volume(volumes, kit, "agent-tls", Map.of("tls.crt", "agent.pem", "tls.key", "agent.key"));
            volume(volumes, kit, "agent-clients", Map.of("ca.pem", "clients-ca.pem"));
            volumes.put("drawbridge-blobs", kit.store);
            Map<String, String> values = Map.of(
                    "drawbridge-db/url",
                    database,
                    "drawbridge-db/user",
                    postgres.user(),
                    "agent-config/backend",
                    "sim");
            kit.openToContainers();

            // the Steward and Drawbridge Deployments, each replica a pod on the pods' network
            List<ObjectNode> steward = KubeManifests.read(K8S.resolve("steward.yaml"));
            List<ObjectNode> drawbridge = KubeManifests.read(K8S.resolve("drawbridge.yaml"));
            ObjectNode stewards = KubeManifests.find(steward, "Deployment", "steward");
            ObjectNode drawbridges = KubeManifests.find(drawbridge, "Deployment", "drawbridge");
            assertEquals(2, stewards.path("spec").path("replicas").asInt());
            assertEquals(2, drawbridges.path("spec").path("replicas").asInt());
            List<ObjectNode> pods = new ArrayList<>();
            for (int i = 0; i < 2; i++)
                pods.add(named(KubeManifests.pod(stewards, i, volumes, values, Images.image("steward")), id));
            for (int i = 0; i < 2; i++)
                pods.add(named(KubeManifests.pod(drawbridges, i, volumes, values, Images.image("drawbridge")), id));
            Path services = dir.resolve("services.yaml");
            KubeManifests.write(services, pods);
            for (ObjectNode p : pods)
                c.startedPod(p.path("metadata").path("name").asText());
            podman.run(List.of("kube", "play", "--network", NETWORK, services.toString()), null, 600)
                    .ok("kube play steward and drawbridge");
            Map<String, String> address = new LinkedHashMap<>();
            for (ObjectNode p : pods) {
                String pod = p.path("metadata").path("name").asText();
                String container = pod + "-"
                        + p.path("spec").path("containers").get(0).path("name").asText();
                address.put(pod, c.address(container));
                probes(c, p, address.get(pod));
            }
            String steward0 = address.get("steward-0-" + id),
                    drawbridge0 = address.get("drawbridge-0-" + id),
                    drawbridge1 = address.get("drawbridge-1-" + id);

            // the agent DaemonSet's pod on this node, on its network; hostAliases as a cluster's DNS would name the
            // services (podman 4.3 does not apply them there)
            ObjectNode agent = KubeManifests.pod(
                    KubeManifests.find(KubeManifests.read(K8S.resolve("agent.yaml")), "DaemonSet", "donjon-agent"),
                    0,
                    volumes,
                    values,
                    Images.image("agent"));
            named(agent, id);
            ObjectNode spec = (ObjectNode) agent.path("spec");
            assertTrue(spec.path("hostNetwork").asBoolean(), "the agent runs on the node's network");
            onThisHost(spec, agentPort, agentAdmin, kit);
            ArrayNode aliases = spec.putArray("hostAliases");
            aliases.addObject().put("ip", steward0).putArray("hostnames").add("steward");
            aliases.addObject().put("ip", drawbridge0).putArray("hostnames").add("drawbridge");
            Path agentYaml = dir.resolve("agent.yaml");
            KubeManifests.write(agentYaml, List.of(agent));
            c.startedPod(agent.path("metadata").path("name").asText());
            podman.run(List.of("kube", "play", agentYaml.toString()), null, 600).ok("kube play the agent");
            probes(c, agent, "127.0.0.1");

            // publish to one Drawbridge pod, read from the other: one catalog, one blob volume
            List<String> to0 = List.of("--add-host", "drawbridge:" + drawbridge0, "--add-host", "steward:" + steward0);
            List<String> reg = List.of(
                    "--registry",
                    "https://drawbridge:8443",
                    "--ca-cert",
                    "/etc/donjon/tls-ca.pem",
                    "--token-file",
                    "/etc/donjon/token");
            run(
                    c,
                    to0,
                    ImagesContainerIT.concat(List.of("user", "register"), reg, List.of("--subject", "alice", "alice")));
            run(c, to0, ImagesContainerIT.concat(List.of("repo", "register"), reg, List.of("alice/rot13")));
            run(
                    c,
                    to0,
                    ImagesContainerIT.concat(
                            List.of("package", "publish"), reg, List.of("alice/rot13:1.0.0", "/etc/donjon/pkg")));
            String info = run(
                    c,
                    List.of("--add-host", "drawbridge:" + drawbridge1),
                    ImagesContainerIT.concat(List.of("package", "info"), reg, List.of("alice/rot13:1.0.0")));
            assertTrue(info.contains("main.wasm"), info);
        }
    }

    /** The pod's name made unique to this run (another run's pods may still be going away). */
    private static ObjectNode named(ObjectNode pod, String id) {
        ObjectNode meta = (ObjectNode) pod.path("metadata");
        meta.put("name", meta.path("name").asText() + "-" + id);
        return pod;
    }

    /**
     * What differs on a shared test machine from a TEE node of one's own: free ports instead of 8700/9091 (host
     * network), no /sys/kernel/config when the kernel has no configfs here (the sim backend needs none), and the sim
     * chain's directory (the sim backend only).
     */
    private static void onThisHost(ObjectNode spec, int port, int admin, OperatorKit kit) {
        for (JsonNode c : spec.withArray("containers")) {
            ObjectNode container = (ObjectNode) c;
            ArrayNode args = container.withArray("args");
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i).asText();
                if (a.startsWith("--listen=")) args.set(i, args.textNode("--listen=0.0.0.0:" + port));
                if (a.startsWith("--admin-listen=")) args.set(i, args.textNode("--admin-listen=0.0.0.0:" + admin));
            }
            for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe"))
                if (container.has(probe)) ((ObjectNode) container.get(probe).get("httpGet")).put("port", admin);
            container.withArray("env").addObject().put("name", "DONJON_SIM_DIR").put("value", "/sim");
            container.withArray("volumeMounts").addObject().put("name", "sim").put("mountPath", "/sim");
            if (!Files.isDirectory(Path.of("/sys/kernel/config"))) {
                ArrayNode mounts = container.withArray("volumeMounts");
                for (int i = mounts.size() - 1; i >= 0; i--)
                    if (mounts.get(i).path("name").asText().equals("tsm")) mounts.remove(i);
            }
        }
        ArrayNode volumes = spec.withArray("volumes");
        if (!Files.isDirectory(Path.of("/sys/kernel/config")))
            for (int i = volumes.size() - 1; i >= 0; i--)
                if (volumes.get(i).path("name").asText().equals("tsm")) volumes.remove(i);
        volumes.addObject()
                .put("name", "sim")
                .putObject("hostPath")
                .put("path", kit.sim.toString())
                .put("type", "Directory");
    }

    /** Every probe of the pod's containers, made as the kubelet makes it, must answer 200. */
    private static void probes(Containers c, ObjectNode pod, String address) throws Exception {
        int made = 0;
        for (JsonNode container : pod.path("spec").path("containers")) {
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                JsonNode get = container.path(probe).path("httpGet");
                if (get.isMissingNode()) continue;
                int port = get.path("port").isInt()
                        ? get.path("port").asInt()
                        : KubeManifests.namedPort(container, get.path("port").asText());
                c.awaitOk(
                        URI.create("http://" + address + ":" + port
                                + get.path("path").asText()),
                        Duration.ofMinutes(4));
                made++;
            }
        }
        assertEquals(
                3,
                made,
                "startup, liveness and readiness probes in "
                        + pod.path("metadata").path("name").asText());
    }

    private static void volume(Map<String, Path> volumes, OperatorKit kit, String name, Map<String, String> files)
            throws Exception {
        Path d = kit.dir.resolve("k8s").resolve(name);
        Files.createDirectories(d);
        for (var f : files.entrySet()) Files.copy(kit.dir.resolve(f.getValue()), d.resolve(f.getKey()));
        volumes.put(name, d);
    }

    private static String run(Containers c, List<String> hosts, String... args) throws Exception {
        return c.podman
                .run(c.cliRun(concatOptions(hosts), List.of(args)))
                .ok(String.join(" ", List.of(args).subList(0, 2)))
                .out();
    }

    private static List<String> concatOptions(List<String> hosts) {
        List<String> o = new ArrayList<>(List.of("--rm"));
        o.addAll(hosts);
        return o;
    }
}
