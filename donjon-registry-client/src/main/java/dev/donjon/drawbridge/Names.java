package dev.donjon.drawbridge;

import java.util.regex.Pattern;

/** Drawbridge's name rules for users, repositories and tags (semantic versions). */
public final class Names {
    private static final Pattern USER = Pattern.compile("[0-9A-Za-z]{1,64}");
    private static final Pattern REPO = Pattern.compile("[0-9A-Za-z-]{1,64}");
    // semver.org's regular expression, version 2.0.0
    private static final Pattern SEMVER = Pattern.compile("(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)"
            + "(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
            + "(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?");

    private Names() {}

    public static String user(String name) {
        if (name == null || !USER.matcher(name).matches())
            throw RegistryException.badRequest(
                    "invalid user name '" + printable(name) + "': use 1-64 letters and digits");
        return name;
    }

    public static String repository(String name) {
        if (name == null || !REPO.matcher(name).matches())
            throw RegistryException.badRequest(
                    "invalid repository name '" + printable(name) + "': use 1-64 letters, digits and '-'");
        return name;
    }

    public static String tag(String name) {
        if (name == null || name.length() > 128 || !SEMVER.matcher(name).matches())
            throw RegistryException.badRequest(
                    "invalid tag '" + printable(name) + "': Drawbridge tags are semantic versions"
                            + " such as 1.2.3 (as in Enarx's Drawbridge; an OCI registry's tags, oci://host/name:TAG, may be any name)");
        return name;
    }

    static String printable(String s) {
        if (s == null) return "";
        String t = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
