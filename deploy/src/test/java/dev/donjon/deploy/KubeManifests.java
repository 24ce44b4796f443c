package dev.donjon.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The project's Kubernetes manifests (deploy/k8s), read as Kubernetes would, and turned into what podman 4.3's
 * {@code kube play} can run, one change at a time and each named here, since podman is not a cluster:
 * <ul>
 *   <li>a Deployment with N replicas becomes N Pods (podman plays one pod per Deployment); a DaemonSet, the one Pod
 *       it would run on this node (podman has no DaemonSet);</li>
 *   <li>Secret and ConfigMap volumes, and the persistent volume claim, become host directories the test fills (podman
 *       4.3 mounts neither Secrets nor ConfigMaps; a shared host directory stands for the ReadWriteMany volume);</li>
 *   <li>environment variables from Secrets and ConfigMaps get their values inline;</li>
 *   <li>images get the test's tag; Services and PodDisruptionBudgets are not run (no cluster network: the test talks to
 *       the pods' addresses);</li>
 *   <li>no pod lists container ports (on the pods' network podman 4.3 would also bind each on the host, where every
 *       replica's 8443 collides; with the host's network it refuses port mappings); probes naming a port get its
 *       number.</li>
 * </ul>
 * Everything else (arguments, ports, probes, security contexts, resources, host network) is the manifest's own.
 */
final class KubeManifests {
    static final ObjectMapper YAML = new YAMLMapper();

    private KubeManifests() {}

    /** Every document of a manifest file. */
    static List<ObjectNode> read(Path file) throws IOException {
        List<ObjectNode> docs = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(file.toFile())) {
            for (var it = YAML.readValues(parser, ObjectNode.class); it.hasNext(); ) {
                ObjectNode d = it.next();
                if (d != null && !d.isEmpty()) docs.add(d);
            }
        }
        return docs;
    }

    static ObjectNode find(List<ObjectNode> docs, String kind, String name) {
        return docs.stream()
                .filter(d -> d.path("kind").asText().equals(kind)
                        && d.path("metadata").path("name").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in the manifests"));
    }

    /**
     * Pod {@code index} of a Deployment or DaemonSet: its template, with the changes listed above.
     *
     * @param volumes     for each Secret, ConfigMap or claim name, the host directory that stands for it
     * @param values      for each "secret-or-configmap/key", its value
     * @param image       the image to run
     */
    static ObjectNode pod(
            ObjectNode workload, int index, Map<String, Path> volumes, Map<String, String> values, String image) {
        ObjectNode template = workload.path("spec").path("template").deepCopy();
        ObjectNode pod = YAML.createObjectNode();
        pod.put("apiVersion", "v1");
        pod.put("kind", "Pod");
        ObjectNode meta = pod.putObject("metadata");
        meta.put("name", workload.path("metadata").path("name").asText() + "-" + index);
        meta.set("labels", template.path("metadata").path("labels"));
        ObjectNode spec = (ObjectNode) template.path("spec");
        pod.set("spec", spec);
        spec.put("restartPolicy", "Always");
        for (JsonNode c : spec.withArray("containers")) {
            ((ObjectNode) c).put("image", image);
            for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
                JsonNode get = c.path(probe).path("httpGet");
                if (get.path("port").isTextual())
                    ((ObjectNode) get).put("port", namedPort(c, get.path("port").asText()));
            }
            ((ObjectNode) c).remove("ports");
            for (JsonNode e : c.path("env")) {
                JsonNode from = e.path("valueFrom");
                if (from.isMissingNode()) continue;
                JsonNode ref = from.has("secretKeyRef") ? from.get("secretKeyRef") : from.get("configMapKeyRef");
                String key = ref.path("name").asText() + "/" + ref.path("key").asText();
                if (!values.containsKey(key)) throw new AssertionError("the test has no value for " + key);
                ((ObjectNode) e).remove("valueFrom");
                ((ObjectNode) e).put("value", values.get(key));
            }
        }
        ArrayNode vols = spec.withArray("volumes");
        for (JsonNode v : vols) {
            ObjectNode volume = (ObjectNode) v;
            String source = volume.has("secret")
                    ? volume.get("secret").path("secretName").asText()
                    : volume.has("configMap")
                            ? volume.get("configMap").path("name").asText()
                            : volume.has("persistentVolumeClaim")
                                    ? volume.get("persistentVolumeClaim")
                                            .path("claimName")
                                            .asText()
                                    : null;
            if (source == null) continue;
            Path dir = volumes.get(source);
            if (dir == null) throw new AssertionError("the test has no directory for " + source);
            volume.remove(List.of("secret", "configMap", "persistentVolumeClaim"));
            volume.putObject("hostPath").put("path", dir.toString()).put("type", "Directory");
        }
        return pod;
    }

    static int namedPort(JsonNode container, String name) {
        for (JsonNode p : container.path("ports"))
            if (p.path("name").asText().equals(name))
                return p.path("containerPort").asInt();
        throw new AssertionError("no port named " + name);
    }

    static void write(Path file, List<ObjectNode> docs) throws IOException {
        StringBuilder out = new StringBuilder();
        for (ObjectNode d : docs) out.append(YAML.writeValueAsString(d));
        Files.writeString(file, out);
    }
}
