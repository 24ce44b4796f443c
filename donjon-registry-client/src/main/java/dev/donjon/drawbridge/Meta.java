package dev.donjon.drawbridge;

/**
 * What Drawbridge knows of one object (tag entry, directory or file): its hashes, its length in bytes and
 * its media type. Serialized as the entry JSON {@code {"digest":{...},"length":N,"type":"..."}}.
 */
public record Meta(ContentDigest digest, long length, String type) {

    public static final String ENTRY_TYPE = "application/vnd.drawbridge.entry.v1+json";
    public static final String DIRECTORY_TYPE = "application/vnd.drawbridge.directory.v1+json";
    /** A signed tag: a JWS (JSON serialization) whose payload is the tree entry. */
    public static final String JWS_TYPE = "application/jose+json";

    public Meta {
        if (length < 0) throw RegistryException.badRequest("entry length is negative");
        if (type == null || !type.matches("[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+(\\s*;.*)?"))
            throw RegistryException.badRequest("entry type '" + type + "' is not a media type");
    }

    public static Meta of(byte[] bytes, String type) {
        return new Meta(ContentDigest.of(bytes), bytes.length, type);
    }

    public boolean isDirectory() {
        return DIRECTORY_TYPE.equals(type);
    }

    /** True when {@code actual} (computed from uploaded bytes) has this entry's hashes, length and type. */
    public boolean isSatisfiedBy(Meta actual) {
        return length == actual.length && type.equals(actual.type) && digest.isSatisfiedBy(actual.digest);
    }
}
