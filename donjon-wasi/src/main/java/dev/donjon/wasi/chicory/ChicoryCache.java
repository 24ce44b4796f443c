package dev.donjon.wasi.chicory;

import com.dylibso.chicory.compiler.internal.MachineFactory;
import dev.donjon.wasi.CompiledModuleCache;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * A module's compiled classes ({@link CompiledMachines}' jar) in a {@link CompiledModuleCache}, named by the module's
 * digest ({@code sha-256:...}) as Chicory names its own cache's entries; the entry's key adds Chicory's version, because generated classes call into the runtime
 * that generated them and must never be loaded by another, and the version of Donjon's rewriting of them.
 */
final class ChicoryCache {
    /**
     * Chicory's version and that of Donjon's rewriting of its classes ({@link Rewrites}); null when Chicory's
     * version cannot be told: then nothing is cached.
     */
    static final String ENGINE = chicoryVersion() == null ? null : chicoryVersion() + "+" + Rewrites.version();

    private final CompiledModuleCache cache;
    private final boolean read;

    /** @param read false to compile and overwrite the entry (it was found unusable) */
    ChicoryCache(CompiledModuleCache cache, boolean read) {
        this.cache = cache;
        this.read = read;
    }

    /** The entry for the module with this digest, or null. */
    byte[] get(String digest) {
        return read ? cache.get(ENGINE + "/" + digest).orElse(null) : null;
    }

    /** Keeps {@code classes} as the entry for the module with this digest. */
    void put(String digest, byte[] classes) {
        cache.put(ENGINE + "/" + digest, classes);
    }

    /** From the compiler jar's Maven metadata. */
    private static String chicoryVersion() {
        try (InputStream in = MachineFactory.class.getResourceAsStream(
                "/META-INF/maven/com.dylibso.chicory/compiler/pom.properties")) {
            if (in == null) return null;
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version");
            return v == null || v.isBlank() ? null : "chicory-compiler-" + v.strip();
        } catch (IOException e) {
            return null;
        }
    }
}
