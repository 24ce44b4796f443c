package dev.donjon.collateral;

import dev.donjon.common.OwnerOnlyFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cache directory: one {@code <id>.json} per entry ({@link EntryJson}), written atomically, owner-only (0600 in a
 * 0700 directory). What is on disk is never trusted as such: {@link CollateralService} verifies every entry it reads.
 * Default location: {@code $XDG_CACHE_HOME/donjon/collateral}, else {@code ~/.cache/donjon/collateral}.
 */
public final class CollateralStore {

    private static final String SUFFIX = ".json";
    /** Far above any real piece (the largest, a PCK Platform CRL, is a few KiB): a bound on what is read. */
    static final int MAX_ENTRY_BYTES = 4 << 20;

    private final Path dir;

    public CollateralStore(Path dir) {
        this.dir = dir;
    }

    /** The default cache directory for this user and environment. */
    public static Path defaultDirectory(Map<String, String> env) {
        String xdg = env.get("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("donjon").resolve("collateral");
    }

    public Path directory() {
        return dir;
    }

    /** The stored entry for {@code key}; empty when there is none. A file that does not parse is an IOException naming it. */
    public Optional<CollateralEntry> read(CollateralKey key) throws IOException {
        Path file = dir.resolve(key.id() + SUFFIX);
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_ENTRY_BYTES)
                throw new IOException(file + " is larger than " + MAX_ENTRY_BYTES + " bytes");
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        CollateralEntry e;
        try {
            e = EntryJson.entry(bytes);
        } catch (IllegalArgumentException bad) {
            throw new IOException(file + ": " + bad.getMessage());
        }
        if (!e.key().equals(key))
            throw new IOException(file + " holds " + e.key().id() + ", not " + key.id());
        return Optional.of(e);
    }

    public void write(CollateralEntry e) throws IOException {
        OwnerOnlyFiles.createDirectories(dir);
        OwnerOnlyFiles.write(dir.resolve(e.key().id() + SUFFIX), EntryJson.entryBytes(e));
    }

    /** Every entry that parses, by id; files that do not parse are named in {@code problems}. */
    public List<CollateralEntry> all(List<String> problems) throws IOException {
        List<CollateralEntry> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path f : files) {
                try {
                    if (Files.size(f) > MAX_ENTRY_BYTES)
                        throw new IllegalArgumentException("larger than " + MAX_ENTRY_BYTES + " bytes");
                    out.add(EntryJson.entry(Files.readAllBytes(f)));
                } catch (IllegalArgumentException | IOException e) {
                    problems.add(f.getFileName() + ": " + e.getMessage());
                }
            }
        }
        out.sort(Comparator.comparing(e -> e.key().id()));
        return out;
    }
}
