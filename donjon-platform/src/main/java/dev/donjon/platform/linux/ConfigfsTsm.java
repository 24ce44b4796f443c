package dev.donjon.platform.linux;

import dev.donjon.common.OneLine;
import dev.donjon.platform.Check;
import dev.donjon.platform.PlatformException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Linux configfs-tsm (kernel 6.7+, Documentation/ABI/testing/configfs-tsm): create a report entry, write the 64-byte
 * {@code inblob}, read {@code outblob} (the SNP report or TDX quote) and {@code auxblob} (SNP: the host's certificate
 * table), check {@code provider}, and remove the entry. {@code generation} is read around the exchange so that a
 * concurrent writer to the same entry is detected rather than returning someone else's evidence.
 */
final class ConfigfsTsm {

    /** What one report request returned. */
    record Report(byte[] outblob, Optional<byte[]> auxblob, String provider) {}

    private final Path root;
    private final AttributeFiles files;
    private final SecureRandom random = new SecureRandom();

    ConfigfsTsm(Path root, AttributeFiles files) {
        this.root = root;
        this.files = files;
    }

    Path root() {
        return root;
    }

    boolean present() {
        return Files.isDirectory(root);
    }

    /** The check tree line for this interface, with the provider check under it when the root is present. */
    Check check(String expectedProvider) {
        if (!present())
            return Check.fail(
                    "configfs-tsm",
                    root + " absent (needs Linux 6.7+ with configfs mounted, inside a confidential VM)");
        Check provider;
        try {
            String p = provider();
            provider = p.equals(expectedProvider)
                    ? Check.pass("provider", p)
                    : Check.fail("provider", p.isEmpty() ? "none" : p + ", not " + expectedProvider);
        } catch (IOException e) {
            provider = Check.fail("provider", "cannot create a report entry under " + root + ": " + OneLine.of(e));
        }
        return Check.pass("configfs-tsm", root.toString(), provider);
    }

    /** Creates a throw-away entry to read which TSM provider the kernel attached. */
    String provider() throws IOException {
        Path entry = newEntry();
        try {
            return text(files.read(entry.resolve("provider")));
        } finally {
            files.removeEntry(entry);
        }
    }

    Report report(byte[] inblob, String expectedProvider) throws PlatformException {
        if (!present()) throw new PlatformException("configfs-tsm is absent: " + root + " does not exist");
        Path entry;
        try {
            entry = newEntry();
        } catch (IOException e) {
            throw new PlatformException(
                    "cannot create a configfs-tsm report entry under " + root + ": " + OneLine.of(e), e);
        }
        try {
            String provider = text(files.read(entry.resolve("provider")));
            if (!provider.equals(expectedProvider)) {
                throw new PlatformException("configfs-tsm provider is '" + provider + "', not " + expectedProvider);
            }
            files.write(entry.resolve("inblob"), inblob);
            Optional<String> before = generation(entry);
            byte[] outblob = files.read(entry.resolve("outblob"));
            Optional<byte[]> auxblob = optional(entry.resolve("auxblob"));
            if (!before.equals(generation(entry))) {
                throw new PlatformException(
                        "configfs-tsm entry " + entry + " was written by someone else during the request");
            }
            if (outblob.length == 0) throw new PlatformException("configfs-tsm returned an empty outblob");
            return new Report(outblob, auxblob.filter(a -> a.length > 0), provider);
        } catch (IOException e) {
            throw new PlatformException("configfs-tsm report failed in " + entry + ": " + OneLine.of(e), e);
        } finally {
            try {
                files.removeEntry(entry);
            } catch (IOException ignored) {
                // a leftover entry holds no secret (only public evidence); the kernel frees it on reboot
            }
        }
    }

    private Path newEntry() throws IOException {
        byte[] id = new byte[8];
        random.nextBytes(id);
        Path entry = root.resolve("donjon-" + HexFormat.of().formatHex(id));
        files.createEntry(entry);
        return entry;
    }

    private Optional<String> generation(Path entry) throws IOException {
        return optional(entry.resolve("generation")).map(ConfigfsTsm::text);
    }

    private Optional<byte[]> optional(Path attribute) throws IOException {
        try {
            return Optional.of(files.read(attribute));
        } catch (NoSuchFileException absent) {
            return Optional.empty();
        }
    }

    static String text(byte[] value) {
        return new String(value, StandardCharsets.US_ASCII).strip();
    }
}
