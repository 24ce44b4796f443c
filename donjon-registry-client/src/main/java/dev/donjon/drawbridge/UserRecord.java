package dev.donjon.drawbridge;

import com.fasterxml.jackson.databind.JsonNode;

/** A user, Drawbridge's {@code {"subject": "..."}}: the identity (OIDC subject or token subject) that owns it. */
public record UserRecord(String subject) {

    public UserRecord {
        if (subject == null || subject.isBlank() || subject.length() > 256)
            throw RegistryException.badRequest("user subject must be a non-empty string of at most 256 characters");
    }

    public static UserRecord parse(byte[] json) {
        JsonNode n = RegistryJson.parse(json, "user record");
        if (!n.isObject()
                || n.size() != 1
                || !n.has("subject")
                || !n.get("subject").isTextual())
            throw RegistryException.badRequest("user record must be exactly {\"subject\": \"...\"}");
        return new UserRecord(n.get("subject").asText());
    }

    public byte[] toJson() {
        return RegistryJson.write(RegistryJson.MAPPER.createObjectNode().put("subject", subject));
    }
}
