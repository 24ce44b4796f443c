package dev.donjon.drawbridge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The catalog as files under the store directory (the zero-setup default; one server per directory):
 * <pre>
 *   users/&lt;user&gt;/user.json                            the user record
 *   users/&lt;user&gt;/repos/&lt;repo&gt;/config.json            the repository config
 *   users/&lt;user&gt;/repos/&lt;repo&gt;/tags/&lt;tag&gt;/tag.json     entry JSON (digest, length, type) of the tag's body
 *   users/&lt;user&gt;/repos/&lt;repo&gt;/tags/&lt;tag&gt;/nodes/&lt;hex of path&gt;.json   entry JSON of each tree node
 *   subjects/&lt;sha-256 hex of the subject&gt;              the one user name a subject owns
 * </pre>
 * Every file is created whole or not at all, and never replaced: a hard link from a complete temporary file, which
 * fails if the name exists, so the first writer wins.
 */
final class FileCatalog implements Catalog {
    private final Path root;
    private final Path tmp;
    private final Path subjects;

    /** @param tmp a directory on the same file system, for files being written */
    FileCatalog(Path root, Path tmp) throws IOException {
        this.root = root;
        this.tmp = tmp;
        this.subjects = root.resolve("subjects");
        Files.createDirectories(root.resolve("users"));
        Files.createDirectories(tmp);
        if (!Files.isDirectory(subjects)) indexSubjects();
    }

    @Override
    public void createUser(String user, UserRecord record) {
        Path index = subjects.resolve(subjectKey(record.subject()));
        boolean indexed = false;
        try {
            AtomicFiles.createNew(tmp, index, user.getBytes(StandardCharsets.UTF_8));
            indexed = true;
        } catch (IOException e) {
            if (!AtomicFiles.isAlreadyExists(e)) throw storageFailure("indexing a subject", e);
            String owned = readSmall(index)
                    .map(b -> new String(b, StandardCharsets.UTF_8))
                    .orElse("");
            // the same name again (a retry, or a crash between the index and the record) goes on to the record
            if (!owned.equals(user))
                throw new StoreException.AlreadyRegistered(
                        "subject '" + record.subject() + "' already owns user '" + owned + "'");
        }
        try {
            createJson(userDir(user).resolve("user.json"), record.toJson(), "user '" + user + "'");
        } catch (StoreException.Conflict taken) {
            if (indexed) {
                try {
                    Files.deleteIfExists(index);
                } catch (IOException ignored) {
                    // the subject keeps a dangling index entry: it can still register this same name, which is taken
                }
            }
            throw taken;
        }
    }

    /** The index of subjects for a store written before it existed: every user record, once. */
    private void indexSubjects() throws IOException {
        try (Stream<Path> users = Files.list(root.resolve("users"))) {
            for (Path dir : users.toList()) {
                Optional<byte[]> json = readSmall(dir.resolve("user.json"));
                if (json.isEmpty()) continue;
                Path index =
                        subjects.resolve(subjectKey(UserRecord.parse(json.get()).subject()));
                try {
                    AtomicFiles.createNew(
                            tmp, index, dir.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    if (!AtomicFiles.isAlreadyExists(e)) throw e;
                }
            }
        }
        Files.createDirectories(subjects);
    }

    private static String subjectKey(String subject) {
        MessageDigest sha = DigestAlgorithm.SHA_256.newDigest();
        return HexFormat.of().formatHex(sha.digest(subject.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public Optional<UserRecord> user(String user) {
        return readSmall(userDir(user).resolve("user.json")).map(UserRecord::parse);
    }

    @Override
    public void createRepository(String user, String repo, RepositoryConfig config) {
        if (user(user).isEmpty()) throw new StoreException.NotFound("user '" + user + "' does not exist");
        createJson(
                repoDir(user, repo).resolve("config.json"), config.toJson(), "repository '" + user + "/" + repo + "'");
    }

    @Override
    public Optional<RepositoryConfig> repository(String user, String repo) {
        return readSmall(repoDir(user, repo).resolve("config.json")).map(RepositoryConfig::parse);
    }

    @Override
    public List<String> tags(String user, String repo) {
        Path dir = repoDir(user, repo).resolve("tags");
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList())
                if (Files.exists(p.resolve("tag.json"))) out.add(p.getFileName().toString());
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            throw storageFailure("listing tags", e);
        }
        out.sort(null);
        return out;
    }

    @Override
    public void createTag(String user, String repo, String tag, Meta entry) {
        createJson(tagDir(user, repo, tag).resolve("tag.json"), RegistryJson.writeEntry(entry), "tag " + tag);
    }

    @Override
    public Optional<Meta> tag(String user, String repo, String tag) {
        return readSmall(tagDir(user, repo, tag).resolve("tag.json")).map(RegistryJson::readEntry);
    }

    @Override
    public void createNode(String user, String repo, String tag, TreePath path, Meta entry) {
        createJson(nodeFile(user, repo, tag, path), RegistryJson.writeEntry(entry), "tree node '/" + path + "'");
    }

    @Override
    public Optional<Meta> node(String user, String repo, String tag, TreePath path) {
        return readSmall(nodeFile(user, repo, tag, path)).map(RegistryJson::readEntry);
    }

    @Override
    public List<String> blobs() {
        TreeSet<String> out = new TreeSet<>();
        try (Stream<Path> files = Files.walk(root.resolve("users"))) {
            for (Path f : files.filter(FileCatalog::isEntryFile).toList())
                readSmall(f)
                        .ifPresent(json ->
                                out.add(RegistryJson.readEntry(json).digest().sha256Hex()));
        } catch (IOException | UncheckedIOException e) {
            throw storageFailure(
                    "listing blobs", e instanceof IOException io ? io : ((UncheckedIOException) e).getCause());
        }
        return List.copyOf(out);
    }

    private static boolean isEntryFile(Path p) {
        String name = p.getFileName().toString();
        return name.equals("tag.json")
                || (name.endsWith(".json")
                        && p.getParent().getFileName().toString().equals("nodes"));
    }

    @Override
    public boolean ready() {
        return Files.isDirectory(root.resolve("users"));
    }

    @Override
    public String describe() {
        return root.toString();
    }

    @Override
    public void close() {}

    // ---- paths and small files ----

    private Path userDir(String user) {
        return root.resolve("users").resolve(Names.user(user));
    }

    private Path repoDir(String user, String repo) {
        return userDir(user).resolve("repos").resolve(Names.repository(repo));
    }

    private Path tagDir(String user, String repo, String tag) {
        return repoDir(user, repo).resolve("tags").resolve(Names.tag(tag));
    }

    private Path nodeFile(String user, String repo, String tag, TreePath path) {
        String name = path.isRoot()
                ? "root"
                : HexFormat.of().formatHex(path.toString().getBytes(StandardCharsets.UTF_8));
        return tagDir(user, repo, tag).resolve("nodes").resolve(name + ".json");
    }

    private void createJson(Path file, byte[] json, String what) {
        try {
            AtomicFiles.createNew(tmp, file, json);
        } catch (IOException e) {
            if (AtomicFiles.isAlreadyExists(e)) throw new StoreException.Conflict(what + " already exists");
            throw storageFailure("writing " + what, e);
        }
    }

    static Optional<byte[]> readSmall(Path file) {
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw storageFailure("reading " + file.getFileName(), e);
        }
    }

    static StoreException storageFailure(String doing, IOException e) {
        return new StoreException.Damaged("storage failure while " + doing, new UncheckedIOException(e));
    }
}
