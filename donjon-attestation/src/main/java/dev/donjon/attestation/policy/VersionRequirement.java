package dev.donjon.attestation.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Cargo-style semver requirement ({@code ">=1.51"}, {@code ">254.0"}, {@code "1.0"} = {@code "^1.0"},
 * comma-separated conjunctions) over the SNP guest policy's ABI {@code major.minor} (patch is always 0),
 * because Enarx's steward.toml writes {@code abi} that way.
 */
public record VersionRequirement(String text, List<Comparator> comparators) {

    public record Version(int major, int minor, int patch) implements Comparable<Version> {
        public int compareTo(Version o) {
            int c = Integer.compare(major, o.major);
            if (c == 0) c = Integer.compare(minor, o.minor);
            return c != 0 ? c : Integer.compare(patch, o.patch);
        }

        @Override
        public String toString() {
            return major + "." + minor + "." + patch;
        }
    }

    /** One comparator; {@code minor}/{@code patch} are -1 when not written (they matter for ^ ~ and =). */
    public record Comparator(String op, int major, int minor, int patch) {
        boolean matches(Version v) {
            Version lo = new Version(major, Math.max(minor, 0), Math.max(patch, 0));
            return switch (op) {
                case ">=" -> v.compareTo(lo) >= 0;
                case ">" ->
                    minor < 0
                            ? v.major() > major
                            : patch < 0
                                    ? v.compareTo(new Version(major, minor, Integer.MAX_VALUE)) > 0
                                    : v.compareTo(lo) > 0;
                case "<" -> v.compareTo(lo) < 0;
                case "<=" ->
                    minor < 0
                            ? v.major() <= major
                            : patch < 0
                                    ? v.major() < major || (v.major() == major && v.minor() <= minor)
                                    : v.compareTo(lo) <= 0;
                case "=" ->
                    v.major() == major && (minor < 0 || v.minor() == minor) && (patch < 0 || v.patch() == patch);
                case "~" -> v.compareTo(lo) >= 0 && v.major() == major && (minor < 0 || v.minor() == minor);
                case "^" -> v.compareTo(lo) >= 0 && caretUpper(v);
                default -> throw new IllegalStateException(op);
            };
        }

        private boolean caretUpper(Version v) {
            if (major > 0 || minor < 0) return v.major() == major;
            if (minor > 0 || patch < 0) return v.major() == 0 && v.minor() == minor;
            return v.major() == 0 && v.minor() == 0 && v.patch() == patch;
        }
    }

    private static final Pattern ONE =
            Pattern.compile("\\s*(>=|<=|>|<|=|~|\\^)?\\s*(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?\\s*");

    public static VersionRequirement parse(String text) {
        List<Comparator> list = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            Matcher m = ONE.matcher(part);
            if (!m.matches()) {
                throw new IllegalArgumentException("invalid version requirement '" + text + "' (e.g. \">=1.51\")");
            }
            try {
                list.add(new Comparator(
                        m.group(1) == null ? "^" : m.group(1),
                        Integer.parseInt(m.group(2)),
                        m.group(3) == null ? -1 : Integer.parseInt(m.group(3)),
                        m.group(4) == null ? -1 : Integer.parseInt(m.group(4))));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid version requirement '" + text + "': number too large");
            }
        }
        return new VersionRequirement(text.strip(), List.copyOf(list));
    }

    public boolean matches(Version v) {
        return comparators.stream().allMatch(c -> c.matches(v));
    }
}
