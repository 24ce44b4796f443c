package dev.donjon.drawbridge;

import dev.donjon.common.OneLine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * The registry's store: names in a {@link Catalog} (files under the root, or PostgreSQL for replicas), content in
 * {@code blobs/<sha-256 hex>} under the root (a directory every replica mounts when there are several), uploads in
 * progress in {@code tmp/}. Every object is verified (all four digests and its length) and its blob forced to disk
 * before the catalog names it, so no tag or node ever points at content that is not stored, whichever process dies
 * when. Before an object is served, its blob must still be the file that was verified: same inode, size, modification
 * and change times (a write to the file, even one that restores its mtime, moves its ctime). A blob that is not is
 * hashed again and refused if it no longer matches; so a GET or HEAD costs a stat, not a hash of the whole file, and
 * changed bytes are never served.
 */
public final class RegistryStore implements AutoCloseable {
    /** Uploads a replica that died left in a shared tmp/: removed by the next replica to start, once surely abandoned. */
    private static final Duration ABANDONED_UPLOAD = Duration.ofHours(6);

    private final Path root;
    private final Path tmp;
    private final Path blobs;
    private final long maxUpload;
    private final Catalog catalog;
    /** Blob name (sha-256 hex) to the identity of the file whose bytes were last hashed and matched. */
    private final Map<String, FileIdentity> verified = new ConcurrentHashMap<>();

    private final LongAdder rehashes = new LongAdder();

    /** The zero-setup store: catalog and blobs under {@code root}, for one server. */
    public RegistryStore(Path root, long maxUpload) throws IOException {
        this(root, maxUpload, null);
    }

    /**
     * A store that several replicas share: the catalog in PostgreSQL at {@code database} (JDBC URL; the schema is
     * created or brought up to date at start), the blobs under {@code root}, which every replica mounts.
     */
    public static RegistryStore shared(
            Path root, long maxUpload, String database, String user, Optional<String> password) throws IOException {
        SqlCatalog catalog = SqlCatalog.open(SqlCatalog.Settings.of(database, user, password));
        try {
            return new RegistryStore(root, maxUpload, catalog);
        } catch (IOException | RuntimeException e) {
            catalog.close();
            throw e;
        }
    }

    private RegistryStore(Path root, long maxUpload, SqlCatalog shared) throws IOException {
        this.root = root.toAbsolutePath();
        this.tmp = this.root.resolve("tmp");
        this.blobs = this.root.resolve("blobs");
        this.maxUpload = maxUpload;
        Files.createDirectories(blobs);
        Files.createDirectories(tmp);
        // uploads a crash interrupted are never visible; alone, all of them are gone now, shared, those surely
        // abandoned
        Instant abandoned = Instant.now().minus(ABANDONED_UPLOAD);
        try (Stream<Path> leftovers = Files.list(tmp)) {
            for (Path p : leftovers.toList()) {
                try {
                    if (shared == null
                            || Files.getLastModifiedTime(p).toInstant().isBefore(abandoned)) Files.deleteIfExists(p);
                } catch (NoSuchFileException gone) {
                    // another replica finished or removed it
                }
            }
        }
        this.catalog = shared != null ? shared : new FileCatalog(this.root, tmp);
    }

    public Path root() {
        return root;
    }

    /** The largest upload accepted. */
    public long maxUpload() {
        return maxUpload;
    }

    /** Where the names are kept: the store directory, or the database (never its password). */
    public String describe() {
        return catalog instanceof SqlCatalog ? catalog.describe() + ", blobs in " + blobs : root.toString();
    }

    /** Empty when requests can be served; else why not (the database does not answer, the store is not writable). */
    public Optional<String> notReady() {
        if (!Files.isWritable(blobs) || !Files.isWritable(tmp))
            return Optional.of("the store " + root + " is not writable");
        if (!catalog.ready()) return Optional.of("the catalog (" + catalog.describe() + ") does not answer");
        return Optional.empty();
    }

    @Override
    public void close() {
        catalog.close();
    }

    // ---- users and repositories ----

    /**
     * Registers {@code user} for {@code record}'s subject. A subject owns one user name: a second one is refused
     * ({@link StoreException.AlreadyRegistered}), so a token holder cannot take other names.
     */
    public void createUser(String user, UserRecord record) {
        catalog.createUser(Names.user(user), record);
    }

    public Optional<UserRecord> user(String user) {
        return catalog.user(Names.user(user));
    }

    public void createRepository(String user, String repo, RepositoryConfig config) {
        catalog.createRepository(Names.user(user), Names.repository(repo), config);
    }

    public Optional<RepositoryConfig> repository(String user, String repo) {
        return catalog.repository(Names.user(user), Names.repository(repo));
    }

    public List<String> tags(String user, String repo) {
        return catalog.tags(Names.user(user), Names.repository(repo));
    }

    // ---- tags and trees ----

    /**
     * Stores a tag: {@code claimed} carries the Content-Digest and Content-Type the client sent; the body must
     * match them, and be a tree entry (or a JWS over one). Tags are immutable: a second PUT of the same entry is
     * accepted without effect (so an interrupted publish can be retried), a different one is a conflict.
     *
     * @return true if created, false if the identical tag was already there
     */
    public boolean createTag(
            String user, String repo, String tag, ContentDigest claimed, String type, long length, InputStream body) {
        Names.tag(tag);
        if (repository(user, repo).isEmpty())
            throw new StoreException.NotFound("repository '" + user + "/" + repo + "' does not exist");
        Optional<StoredObject> existing = tag(user, repo, tag);
        if (existing.isPresent()) {
            if (sameAs(existing.get().meta(), claimed, type, length)) return false;
            throw new StoreException.Conflict("tag " + tag + " already exists with a different entry");
        }
        if (!type.equals(Meta.ENTRY_TYPE) && !type.equals(Meta.JWS_TYPE))
            throw new StoreException.Rejected("tag content type must be " + Meta.ENTRY_TYPE + " or " + Meta.JWS_TYPE);
        Upload up = receive(body, length, Math.min(maxUpload, 1 << 20));
        try {
            Meta actual = new Meta(up.digest, up.length, type);
            if (!claimed.isSatisfiedBy(up.digest))
                throw new StoreException.Rejected("Content-Digest does not match the uploaded tag entry");
            byte[] bytes = Files.readAllBytes(up.file);
            if (type.equals(Meta.JWS_TYPE)) SignedTag.entryOf(bytes);
            else RegistryJson.readEntry(bytes); // well-formed
            commitBlob(up);
            try {
                catalog.createTag(user, repo, tag, actual);
            } catch (StoreException.Conflict raced) { // another request (on another replica?) stored it meanwhile
                if (tag(user, repo, tag)
                        .filter(t -> sameAs(t.meta(), claimed, type, length))
                        .isPresent()) return false;
                throw new StoreException.Conflict("tag " + tag + " already exists with a different entry");
            }
            return true;
        } catch (IOException e) {
            throw storageFailure("storing a tag", e);
        } finally {
            up.discard();
        }
    }

    public Optional<StoredObject> tag(String user, String repo, String tag) {
        return catalog.tag(Names.user(user), Names.repository(repo), Names.tag(tag))
                .map(this::object);
    }

    /** The entry the tag points to: the expected digest, length and type of the tree's root. */
    public Meta rootEntry(StoredObject tagObject) {
        byte[] bytes = readVerified(tagObject);
        return tagObject.meta().type().equals(Meta.JWS_TYPE) ? SignedTag.entryOf(bytes) : RegistryJson.readEntry(bytes);
    }

    /**
     * Stores one tree node. The node must be announced by its parent (the tag for the root, the parent directory
     * otherwise) with exactly these hashes, length and type, so every stored tree is complete and consistent.
     *
     * @return true if created, false if the identical node was already there
     */
    public boolean createNode(
            String user,
            String repo,
            String tag,
            TreePath path,
            ContentDigest claimed,
            String type,
            long length,
            InputStream body) {
        StoredObject tagObject =
                tag(user, repo, tag).orElseThrow(() -> new StoreException.NotFound("tag " + tag + " does not exist"));
        Meta expected = expectedNode(user, repo, tag, tagObject, path);
        Optional<StoredObject> existing = node(user, repo, tag, path);
        if (existing.isPresent()) {
            if (sameAs(existing.get().meta(), claimed, type, length)) return false;
            throw new StoreException.Conflict("tree node '/" + path + "' already exists with different content");
        }
        if (!expected.type().equals(type))
            throw new StoreException.Rejected("Content-Type " + type + " differs from the type " + expected.type()
                    + " its parent announced for '/" + path + "'");
        if (length != expected.length())
            throw new StoreException.Rejected("Content-Length " + length + " differs from the length "
                    + expected.length() + " its parent announced for '/" + path + "'");
        Upload up = receive(body, length, maxUpload);
        try {
            Meta actual = new Meta(up.digest, up.length, type);
            if (!claimed.isSatisfiedBy(up.digest))
                throw new StoreException.Rejected(
                        "Content-Digest does not match the uploaded content of '/" + path + "'");
            if (!expected.isSatisfiedBy(actual))
                throw new StoreException.Rejected(
                        "content of '/" + path + "' does not match the digest its parent announced");
            if (actual.isDirectory()) RegistryJson.readDirectory(Files.readAllBytes(up.file));
            commitBlob(up);
            try {
                catalog.createNode(user, repo, tag, path, actual);
            } catch (StoreException.Conflict raced) {
                if (node(user, repo, tag, path)
                        .filter(n -> sameAs(n.meta(), claimed, type, length))
                        .isPresent()) return false;
                throw new StoreException.Conflict("tree node '/" + path + "' already exists with different content");
            }
            return true;
        } catch (IOException e) {
            throw storageFailure("storing a tree node", e);
        } finally {
            up.discard();
        }
    }

    /** A repeated upload: what the client claims is what is stored (nothing is written either way). */
    private static boolean sameAs(Meta stored, ContentDigest claimed, String type, long length) {
        return stored.type().equals(type) && stored.length() == length && claimed.isSatisfiedBy(stored.digest());
    }

    public Optional<StoredObject> node(String user, String repo, String tag, TreePath path) {
        return catalog.node(Names.user(user), Names.repository(repo), Names.tag(tag), path)
                .map(this::object);
    }

    private Meta expectedNode(String user, String repo, String tag, StoredObject tagObject, TreePath path) {
        if (path.isRoot()) return rootEntry(tagObject);
        StoredObject parent = node(user, repo, tag, path.parent())
                .orElseThrow(() ->
                        new StoreException.Conflict("parent directory of '/" + path + "' must be uploaded first"));
        if (!parent.meta().isDirectory())
            throw new StoreException.Conflict("parent of '/" + path + "' is not a directory");
        SortedMap<String, Meta> dir = RegistryJson.readDirectory(readVerified(parent));
        Meta expected = dir.get(path.name());
        if (expected == null) throw new StoreException.Conflict("parent directory does not list '" + path.name() + "'");
        return expected;
    }

    // ---- reading with verification ----

    /**
     * Copies the object's bytes to {@code out}; callers {@link #verify} first. If the file changed while it was being
     * copied, this throws after the copy: the answer is cut short of its announced length, and the client (which
     * checks length and digest) refuses it.
     */
    void copy(StoredObject object, OutputStream out) throws IOException {
        try (InputStream in = Files.newInputStream(object.blob())) {
            in.transferTo(out);
        }
        FileIdentity now = FileIdentity.of(object.blob());
        if (!now.equals(verified.get(object.meta().digest().sha256Hex())))
            throw tampered(object, "changed while it was served");
    }

    /** The object's bytes, checked: unchanged since they were verified, or hashed again now. */
    public byte[] readVerified(StoredObject object) {
        try {
            FileIdentity before = FileIdentity.of(object.blob());
            byte[] bytes = Files.readAllBytes(object.blob());
            FileIdentity after = FileIdentity.of(object.blob());
            String name = object.meta().digest().sha256Hex();
            if (before.equals(after)
                    && after.equals(verified.get(name))
                    && bytes.length == object.meta().length()) return bytes;
            rehashes.increment();
            checkBlob(object, bytes.length, sha256(bytes));
            if (before.equals(after)) verified.put(name, after);
            return bytes;
        } catch (NoSuchFileException e) {
            throw tampered(object, "is missing");
        } catch (IOException e) {
            throw storageFailure("reading a blob", e);
        }
    }

    /** Checks that the stored blob still holds the verified bytes (a stat; a hash only if the file changed). */
    public void verify(StoredObject object) {
        String name = object.meta().digest().sha256Hex();
        FileIdentity before;
        try {
            before = FileIdentity.of(object.blob());
        } catch (NoSuchFileException e) {
            throw tampered(object, "is missing");
        } catch (IOException e) {
            throw storageFailure("reading a blob", e);
        }
        if (before.equals(verified.get(name))) return;
        rehashes.increment();
        MessageDigest md = DigestAlgorithm.SHA_256.newDigest();
        long n = 0;
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(object.blob())) {
            for (int r; (r = in.read(buf)) > 0; n += r) md.update(buf, 0, r);
            checkBlob(object, n, md.digest());
            if (before.equals(FileIdentity.of(object.blob()))) verified.put(name, before);
        } catch (NoSuchFileException e) {
            throw tampered(object, "is missing");
        } catch (IOException e) {
            throw storageFailure("reading a blob", e);
        }
    }

    /** How many times a stored blob was hashed again because it was not known unchanged (a test and metric hook). */
    public long rehashes() {
        return rehashes.sum();
    }

    private void checkBlob(StoredObject object, long length, byte[] sha256) {
        byte[] expected = object.meta().digest().hashes().get(DigestAlgorithm.SHA_256);
        if (length != object.meta().length() || !MessageDigest.isEqual(expected, sha256))
            throw tampered(object, "no longer matches its digest (modified on disk)");
    }

    private static StoreException tampered(StoredObject object, String what) {
        return new StoreException.Damaged(
                "stored blob " + object.meta().digest().sha256Hex() + " " + what + "; refusing to serve it", null);
    }

    private static byte[] sha256(byte[] bytes) {
        return DigestAlgorithm.SHA_256.newDigest().digest(bytes);
    }

    // ---- uploads ----

    private record Upload(Path file, ContentDigest digest, long length) {
        void discard() {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // left in tmp/, which is emptied at the next start
            }
        }
    }

    /** Streams the body to a temporary file, hashing it, refusing more or fewer bytes than announced. */
    private Upload receive(InputStream body, long length, long max) {
        if (length < 0) throw new StoreException.LengthRequired("Content-Length is required");
        if (length > max)
            throw new StoreException.TooLarge("upload of " + length + " bytes exceeds the limit of " + max);
        Path file;
        try {
            file = Files.createTempFile(tmp, "upload-", ".tmp");
        } catch (IOException e) {
            throw storageFailure("creating an upload file", e);
        }
        ContentDigest.Hasher hasher = new ContentDigest.Hasher();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
                OutputStream out = Channels.newOutputStream(ch)) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = readBody(body, buf, file)) > 0; ) {
                hasher.update(buf, 0, r);
                if (hasher.length() > length) break;
                out.write(buf, 0, r);
            }
            ch.force(true);
        } catch (IOException e) { // writing our own file failed: disk full, permissions
            new Upload(file, null, 0).discard();
            throw storageFailure("writing an upload", e);
        }
        if (hasher.length() != length) {
            new Upload(file, null, 0).discard();
            throw new StoreException.Rejected("Content-Length " + length + " but "
                    + (hasher.length() > length ? "more" : hasher.length()) + " bytes received");
        }
        return new Upload(file, hasher.digest(), hasher.length());
    }

    /** Reads the client's body; a failure here is the client's (it went away or sent garbage), not the store's. */
    private static int readBody(InputStream body, byte[] buf, Path file) {
        try {
            return body.read(buf);
        } catch (IOException e) {
            new Upload(file, null, 0).discard();
            throw new StoreException.Rejected("upload interrupted: " + OneLine.of(e));
        }
    }

    private void commitBlob(Upload up) throws IOException {
        Path target = blobs.resolve(up.digest.sha256Hex());
        if (Files.exists(target)) return; // same name, same bytes; a later modification is caught at read
        try {
            Files.setPosixFilePermissions(up.file, PosixFilePermissions.fromString("r--r-----"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system: the identity check below still guards the bytes
        }
        AtomicFiles.publish(up.file, target);
        verified.put(up.digest.sha256Hex(), FileIdentity.of(target)); // hashed while it was received
    }

    private StoredObject object(Meta meta) {
        return new StoredObject(meta, blobs.resolve(meta.digest().sha256Hex()));
    }

    private static StoreException storageFailure(String doing, IOException e) {
        return FileCatalog.storageFailure(doing, e);
    }

    // ---- consistency ----

    /**
     * Checks that every blob the catalog names is stored and still matches its digest (each is hashed: this reads the
     * whole store). Empty when the store is consistent; else one line per problem. What an operator runs after
     * restoring a backup ({@code donjon drawbridge check}), and what the failover test asserts.
     */
    public List<String> check() {
        List<String> problems = new ArrayList<>();
        for (String name : catalog.blobs()) {
            Path blob = blobs.resolve(name);
            MessageDigest md = DigestAlgorithm.SHA_256.newDigest();
            try (InputStream in = Files.newInputStream(blob)) {
                byte[] buf = new byte[1 << 16];
                for (int r; (r = in.read(buf)) > 0; ) md.update(buf, 0, r);
                if (!HexFormat.of().formatHex(md.digest()).equals(name))
                    problems.add("blob " + name + " does not match its digest");
            } catch (NoSuchFileException e) {
                problems.add("blob " + name + " is named by the catalog but missing");
            } catch (IOException e) {
                problems.add("blob " + name + " cannot be read: " + OneLine.of(e));
            }
        }
        return problems;
    }

    /** What identifies a file's content without reading it: a write changes at least the change time. */
    private record FileIdentity(Object key, long size, long modifiedNanos, long changedNanos) {
        static FileIdentity of(Path file) throws IOException {
            Map<String, Object> a = Files.readAttributes(file, "unix:ino,dev,size,lastModifiedTime,ctime");
            return new FileIdentity(
                    a.get("dev") + ":" + a.get("ino"),
                    (Long) a.get("size"),
                    nanos(a.get("lastModifiedTime")),
                    nanos(a.get("ctime")));
        }

        private static long nanos(Object time) {
            java.time.Instant i = ((java.nio.file.attribute.FileTime) time).toInstant();
            return i.getEpochSecond() * 1_000_000_000L + i.getNano();
        }
    }
}
