package dev.donjon.drawbridge;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A package as published: a flat directory of files, normally {@code main.wasm} and {@code Enarx.toml}.
 * Built from a directory or a single {@code .wasm} file (published as {@code main.wasm}).
 */
public record PackageTree(SortedMap<String, PackageTree.File> files) {
    public static final String WASM = "main.wasm";
    public static final String CONFIG = "Enarx.toml";
    public static final long MAX_WASM = 100L << 20;
    public static final long MAX_OTHER = 1L << 20;

    public record File(byte[] bytes, String type) {
        public Meta meta() {
            return Meta.of(bytes, type);
        }
    }

    public PackageTree {
        if (!files.containsKey(WASM)) throw new IllegalArgumentException("a package needs a " + WASM);
        files.keySet().forEach(TreePath::checkName);
        files.forEach((name, f) -> checkSize(name, f.bytes.length));
        files = Collections.unmodifiableSortedMap(new TreeMap<>(files));
    }

    /**
     * The package at {@code path}: a directory's {@code main.wasm} and optional {@code Enarx.toml} (the only files a Keep
     * accepts; anything else beside them, such as sources or a README, is not part of the package: see
     * {@link #leftOut}), or a single {@code .wasm} file, published as {@code main.wasm}.
     */
    public static PackageTree read(Path path) throws IOException {
        SortedMap<String, File> files = new TreeMap<>();
        if (!Files.exists(path)) throw new IllegalArgumentException(path + ": no such file or directory");
        if (Files.isDirectory(path)) {
            for (String name : new String[] {WASM, CONFIG}) {
                Path p = path.resolve(name);
                if (!Files.exists(p)) continue;
                if (!Files.isRegularFile(p)) throw new IllegalArgumentException(p + " is not a regular file");
                checkSize(name, Files.size(p));
                files.put(name, new File(Files.readAllBytes(p), typeOf(name)));
            }
            if (!files.containsKey(WASM)) {
                throw new IllegalArgumentException(
                        path + " is not a package directory: it has no " + WASM + " (a package is " + WASM
                                + " and an optional " + CONFIG + "; a single .wasm file is published as " + WASM + ")");
            }
        } else if (path.getFileName().toString().endsWith(".wasm")) {
            checkSize(WASM, Files.size(path));
            files.put(WASM, new File(Files.readAllBytes(path), typeOf(WASM)));
        } else {
            throw new IllegalArgumentException(path + " is neither a package directory nor a .wasm file");
        }
        return new PackageTree(files);
    }

    /** The names in a package directory that {@link #read} leaves out (sorted): everything but main.wasm and Enarx.toml. */
    public static List<String> leftOut(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals(WASM) && !n.equals(CONFIG))
                    .sorted()
                    .toList();
        }
    }

    public static String typeOf(String name) {
        if (name.endsWith(".wasm")) return "application/wasm";
        if (name.endsWith(".toml")) return "application/toml";
        return "application/octet-stream";
    }

    /** The size cap for a file of this name: 100 MiB for WebAssembly, 1 MiB for anything else. */
    public static long capFor(String name) {
        return name.endsWith(".wasm") ? MAX_WASM : MAX_OTHER;
    }

    static void checkSize(String name, long size) {
        if (size > capFor(name))
            throw new RegistryException(413, name + " is " + size + " bytes, over the cap of " + capFor(name));
    }

    /** The root directory document listing every file. */
    public byte[] directoryJson() {
        SortedMap<String, Meta> entries = new TreeMap<>();
        files.forEach((name, f) -> entries.put(name, f.meta()));
        return RegistryJson.writeDirectory(entries);
    }

    public byte[] wasm() {
        return files.get(WASM).bytes();
    }
}
