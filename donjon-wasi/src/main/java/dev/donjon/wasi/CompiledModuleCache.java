package dev.donjon.wasi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An on-disk cache of compiled modules (the engine's generated JVM classes), so that running the same module again
 * skips the compile, the slow part of start-up.
 *
 * <p>A cache entry is code this JVM will load and run, so it is trusted only if this user wrote it: the directory
 * must belong to the user and be closed to others (0700), and every entry carries an HMAC-SHA256 over its name and
 * content under a random key that only the user can read ({@code key}, 0600, made on first use). An entry that fails
 * the check is ignored and recompiled over; any I/O problem makes the cache a no-op, never a failed run.
 * Entries are named by a hash of the caller's key (which includes the module's SHA-256 and the engine version), and
 * written to a temporary file then renamed, so concurrent runs never read a half-written entry.
 *
 * <p>Not for a Keep in a TEE: code loaded from the host's disk is outside the Keep's measurement. Use
 * {@link #disabled()} there.
 */
public final class CompiledModuleCache {
    private static final Logger LOG = Logger.getLogger(CompiledModuleCache.class.getName());
    private static final byte[] MAGIC = "DJCM1\n".getBytes(StandardCharsets.US_ASCII);
    private static final int MAC_LENGTH = 32;
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final CompiledModuleCache DISABLED = new CompiledModuleCache(null);

    private final Path dir;
    private byte[] macKey; // read or made on first use

    private CompiledModuleCache(Path dir) {
        this.dir = dir;
    }

    /** A cache that never finds nor keeps anything. */
    public static CompiledModuleCache disabled() {
        return DISABLED;
    }

    /** A cache in {@code dir} (created 0700 if missing). */
    public static CompiledModuleCache in(Path dir) {
        return new CompiledModuleCache(dir.toAbsolutePath());
    }

    /**
     * The user's cache: {@code $XDG_CACHE_HOME/donjon/compiled}, else {@code ~/.cache/donjon/compiled};
     * disabled when neither can be told.
     */
    public static CompiledModuleCache userDefault() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) return in(Path.of(xdg, "donjon", "compiled"));
        String home = System.getProperty("user.home");
        if (home == null || home.isBlank() || home.equals("?")) return DISABLED;
        return in(Path.of(home, ".cache", "donjon", "compiled"));
    }

    public boolean isEnabled() {
        return dir != null;
    }

    /** The entry stored under {@code key}, if there is one and it passes the integrity check. */
    public synchronized Optional<byte[]> get(String key) {
        if (dir == null) return Optional.empty();
        try {
            byte[] mac = key();
            if (mac == null) return Optional.empty();
            Path file = dir.resolve(fileName(key));
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
            byte[] all = Files.readAllBytes(file);
            int header = MAGIC.length + MAC_LENGTH;
            if (all.length < header || !Arrays.equals(all, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
                LOG.fine(() -> "compiled-module cache: ignoring malformed entry " + file);
                return Optional.empty();
            }
            byte[] content = Arrays.copyOfRange(all, header, all.length);
            byte[] expected = hmac(mac, key, content);
            if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(all, MAGIC.length, header))) {
                LOG.warning(() -> "compiled-module cache: entry " + file
                        + " fails its integrity check; ignored (it will be recompiled)");
                return Optional.empty();
            }
            return Optional.of(content);
        } catch (IOException | RuntimeException e) {
            LOG.fine(() -> "compiled-module cache: cannot read: " + e);
            return Optional.empty();
        }
    }

    /** Stores {@code content} under {@code key}, replacing any entry; failures are logged at debug level only. */
    public synchronized void put(String key, byte[] content) {
        if (dir == null) return;
        Path tmp = null;
        try {
            byte[] mac = key();
            if (mac == null) return;
            byte[] tag = hmac(mac, key, content);
            tmp = Files.createTempFile(dir, "entry", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
            byte[] all = new byte[MAGIC.length + MAC_LENGTH + content.length];
            System.arraycopy(MAGIC, 0, all, 0, MAGIC.length);
            System.arraycopy(tag, 0, all, MAGIC.length, MAC_LENGTH);
            System.arraycopy(content, 0, all, MAGIC.length + MAC_LENGTH, content.length);
            Files.write(tmp, all);
            try {
                Files.move(
                        tmp,
                        dir.resolve(fileName(key)),
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir.resolve(fileName(key)), StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException | RuntimeException e) {
            LOG.fine(() -> "compiled-module cache: cannot write: " + e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a stray temporary file is harmless: it never has an entry's name
                }
            }
        }
    }

    /** The HMAC key; null (cache off) when the directory is not the user's own or is open to others. */
    private byte[] key() throws IOException {
        if (macKey != null) return macKey;
        Files.createDirectories(dir.getParent());
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
        } catch (FileAlreadyExistsException e) {
            // checked below
        }
        if (!ownedAndPrivate(dir)) {
            LOG.warning(() -> "compiled-module cache off: " + dir
                    + " is not a directory of this user's closed to others (chmod 700)");
            return null;
        }
        Path keyFile = dir.resolve("key");
        // made once: a SecureRandom and three file operations cost every run several ms of start-up
        if (!Files.exists(keyFile, LinkOption.NOFOLLOW_LINKS)) makeKey(keyFile);
        if (!Files.isRegularFile(keyFile, LinkOption.NOFOLLOW_LINKS) || !ownedAndPrivate(keyFile)) {
            LOG.warning(() -> "compiled-module cache off: " + keyFile + " is not this user's private file (chmod 600)");
            return null;
        }
        byte[] k = Files.readAllBytes(keyFile);
        if (k.length != 32) {
            LOG.warning(() -> "compiled-module cache off: " + keyFile + " is not a 32-byte key");
            return null;
        }
        macKey = k;
        return k;
    }

    private static void makeKey(Path keyFile) throws IOException {
        try {
            byte[] fresh = new byte[32];
            new SecureRandom().nextBytes(fresh);
            Path tmp = Files.createTempFile(
                    keyFile.getParent(), "key", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
            Files.write(tmp, fresh);
            try {
                // a link, not a move: it fails if another run made the key first, and then that key is the one
                Files.createLink(keyFile, tmp);
            } finally {
                Files.delete(tmp);
            }
        } catch (FileAlreadyExistsException e) {
            // made by another run meanwhile: that key is the one
        }
    }

    private static boolean ownedAndPrivate(Path p) throws IOException {
        PosixFileAttributeView view =
                Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null) return false; // no POSIX permissions to rely on: no cache
        PosixFileAttributes a = view.readAttributes();
        // user.name is the JVM's getpwuid(getuid()): the owner must be the user this process runs as
        if (!a.owner().getName().equals(System.getProperty("user.name"))) return false;
        Set<PosixFilePermission> perms = a.permissions();
        return !perms.contains(PosixFilePermission.GROUP_WRITE)
                && !perms.contains(PosixFilePermission.OTHERS_WRITE)
                && !perms.contains(PosixFilePermission.GROUP_READ)
                && !perms.contains(PosixFilePermission.OTHERS_READ);
    }

    private static String fileName(String key) {
        try {
            return HexFormat.of()
                            .formatHex(
                                    MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)))
                    + ".bin";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] macKey, String key, byte[] content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(macKey, "HmacSHA256"));
            byte[] name = key.getBytes(StandardCharsets.UTF_8);
            mac.update(intBytes(name.length));
            mac.update(name);
            mac.update(content);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] intBytes(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }
}
