package dev.donjon.drawbridge;

import java.util.List;
import java.util.regex.Pattern;

/** A path inside a tag's tree: zero components for the root, otherwise names joined with '/'. */
public record TreePath(List<String> components) {
    private static final Pattern NAME = Pattern.compile("[0-9A-Za-z._-]{1,100}");
    static final int MAX_LENGTH = 200;

    public static final TreePath ROOT = new TreePath(List.of());

    public TreePath {
        components = List.copyOf(components);
        components.forEach(TreePath::checkName);
        if (String.join("/", components).length() > MAX_LENGTH)
            throw RegistryException.badRequest("tree path is longer than " + MAX_LENGTH + " characters");
    }

    public static TreePath parse(String path) {
        String p = path == null ? "" : path;
        while (p.startsWith("/")) p = p.substring(1);
        while (p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return p.isEmpty() ? ROOT : new TreePath(List.of(p.split("/", -1)));
    }

    /** Drawbridge's entry name rule, minus "." and "..", which would name other nodes on a file system. */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches() || name.equals(".") || name.equals(".."))
            throw RegistryException.badRequest(
                    "invalid tree entry name '" + Names.printable(name) + "': use letters, digits, '.', '-' and '_'");
        return name;
    }

    public boolean isRoot() {
        return components.isEmpty();
    }

    public TreePath parent() {
        if (isRoot()) throw new IllegalStateException("the root has no parent");
        return new TreePath(components.subList(0, components.size() - 1));
    }

    public String name() {
        return components.getLast();
    }

    public TreePath child(String name) {
        var list = new java.util.ArrayList<>(components);
        list.add(name);
        return new TreePath(list);
    }

    @Override
    public String toString() {
        return String.join("/", components);
    }
}
