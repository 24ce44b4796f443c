package dev.donjon.drawbridge;

import com.fasterxml.jackson.databind.JsonNode;

/** A repository's settings, Drawbridge's {@code {"public": bool}}. */
public record RepositoryConfig(boolean isPublic) {

    public static RepositoryConfig parse(byte[] json) {
        JsonNode n = RegistryJson.parse(json, "repository config");
        if (!n.isObject()
                || n.size() != 1
                || !n.has("public")
                || !n.get("public").isBoolean())
            throw RegistryException.badRequest("repository config must be exactly {\"public\": true|false}");
        return new RepositoryConfig(n.get("public").asBoolean());
    }

    public byte[] toJson() {
        return RegistryJson.write(RegistryJson.MAPPER.createObjectNode().put("public", isPublic));
    }
}
