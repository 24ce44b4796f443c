package dev.donjon.secrets;

import java.util.List;
import java.util.Optional;

/**
 * Where sealed secrets live: the embedded store (a file, one broker) or PostgreSQL (several brokers). A store holds
 * ciphertext, policies and a key check; nothing in it can be read, or released, without the master key.
 */
public interface SecretStore extends AutoCloseable {

    /** The key check sealed when the store was first used: proves at start-up that the right master key was given. */
    Optional<MasterKey.Sealed> keyCheck() throws BrokerException;

    /** Sets the key check of a new store; false when one is already there (another broker set it first). */
    boolean initKeyCheck(MasterKey.Sealed check) throws BrokerException;

    Optional<SecretRecord> get(String name) throws BrokerException;

    /** Every record, by name. */
    List<SecretRecord> list() throws BrokerException;

    /**
     * Writes {@code record} if the stored version is still {@code record.version() - 1} (0: absent), so that two
     * concurrent changes of one secret cannot both win.
     *
     * @return false when another change came first
     */
    boolean put(SecretRecord record) throws BrokerException;

    boolean delete(String name) throws BrokerException;

    /**
     * Why the store cannot serve requests now (the broker's readiness: {@code /readyz} answers 503 with it), or empty.
     * Cheap enough for a probe every few seconds.
     */
    default Optional<String> unavailable() {
        return Optional.empty();
    }

    /** Where, for messages: a path or a JDBC URL without credentials. */
    String describe();

    @Override
    void close();
}
