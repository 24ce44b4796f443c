package dev.donjon.keep;

import dev.donjon.config.EnarxConfig;
import dev.donjon.wasi.WasiLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Modules and configs for the Keep tests, and a Keep whose standard streams are captured. */
final class TestKeeps {
    private TestKeeps() {}

    static Path root() {
        return Path.of(System.getProperty("donjon.root", ".."));
    }

    static Path shared() {
        return Path.of(System.getProperty("donjon.shared", "../../shared"));
    }

    /** A module of src/test/resources/wasm (see build.sh there). */
    static byte[] testModule(String name) {
        try (InputStream in = TestKeeps.class.getResourceAsStream("/wasm/" + name)) {
            if (in == null) throw new IllegalStateException("missing test module " + name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] file(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An Enarx.toml with the standard streams as fds 0-2, then {@code moreFiles} (TOML text). */
    static EnarxConfig afterStdio(String moreFiles) {
        return EnarxConfig.parse("""
                [[files]]
                kind = "stdin"
                [[files]]
                kind = "stdout"
                [[files]]
                kind = "stderr"
                """ + moreFiles);
    }

    /** An Enarx.toml with the standard streams and one loopback listener on a free port. */
    static EnarxConfig listenerConfig(String name, String prot) {
        return afterStdio(listen(name, prot, 0));
    }

    /** The TOML of a {@code listen} file on 127.0.0.1. */
    static String listen(String name, String prot, int port) {
        return "[[files]]\nkind = \"listen\"\nprot = \"%s\"\nname = \"%s\"\naddr = \"127.0.0.1\"\nport = %d\n"
                .formatted(prot, name, port);
    }

    /** A Keep opened with captured output. */
    record Captured(Keep keep, ByteArrayOutputStream out, ByteArrayOutputStream err) {
        String stdout() {
            return out.toString(StandardCharsets.UTF_8);
        }

        String stderr() {
            return err.toString(StandardCharsets.UTF_8);
        }

        int port() {
            return keep.listening().getFirst().address().getPort();
        }
    }

    static Captured open(byte[] module, Optional<EnarxConfig> config, List<String> args, List<String> env) {
        return open(new Workload(module, config, args, env, List.of()), WasiLimits.defaults());
    }

    static Captured open(Workload workload, WasiLimits limits) {
        ByteArrayOutputStream out = new SyncedBuffer();
        ByteArrayOutputStream err = new SyncedBuffer();
        Keep keep = Keep.open(
                workload,
                new Stdio(InputStream.nullInputStream(), out, err),
                limits,
                SelfSignedIdentityTest.selfSigned(dev.donjon.platform.Backend.NIL));
        return new Captured(keep, out, err);
    }

    /** ByteArrayOutputStream's methods are synchronized already; this only names the intent (guest thread writes, test reads). */
    static final class SyncedBuffer extends ByteArrayOutputStream {}
}
