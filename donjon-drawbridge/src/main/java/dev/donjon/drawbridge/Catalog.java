package dev.donjon.drawbridge;

import java.util.List;
import java.util.Optional;

/**
 * Where the registry keeps its names: users (each owned by one subject), repositories, tags and tree nodes, each
 * tag and node pointing at its content by digest (its {@link Meta} entry). The content itself is kept apart, in the
 * blob directory ({@link RegistryStore}). Everything here is written once and never changed (tags are immutable),
 * so a catalog needs only create-if-absent and read: the first writer wins, and a second create of the same name is
 * a {@link StoreException.Conflict} (the store then compares, so an identical retry succeeds).
 *
 * <p>Two kinds: {@link FileCatalog}, files under the store directory (zero setup, one server), and
 * {@link SqlCatalog}, PostgreSQL (several replicas sharing one database and one blob directory).
 */
sealed interface Catalog extends AutoCloseable permits FileCatalog, SqlCatalog {

    /**
     * Registers {@code user} for {@code record}'s subject. A subject owns one user name: another name is refused
     * ({@link StoreException.AlreadyRegistered}); a taken name is a {@link StoreException.Conflict}.
     */
    void createUser(String user, UserRecord record);

    Optional<UserRecord> user(String user);

    /** {@link StoreException.NotFound} without the user, {@link StoreException.Conflict} if it exists. */
    void createRepository(String user, String repo, RepositoryConfig config);

    Optional<RepositoryConfig> repository(String user, String repo);

    /** The repository's tags, sorted (by code point). */
    List<String> tags(String user, String repo);

    /** Records a tag whose body (the blob {@code entry} names) is already stored. */
    void createTag(String user, String repo, String tag, Meta entry);

    Optional<Meta> tag(String user, String repo, String tag);

    /** Records a tree node whose blob is already stored. */
    void createNode(String user, String repo, String tag, TreePath path, Meta entry);

    Optional<Meta> node(String user, String repo, String tag, TreePath path);

    /** The SHA-256 (hex) of every blob a tag or node points at, sorted: what a consistency check must find stored. */
    List<String> blobs();

    /** Whether requests can be served now (the database answers). */
    boolean ready();

    /** Where the catalog lives, for the start-up line (never a password). */
    String describe();

    @Override
    void close();
}
