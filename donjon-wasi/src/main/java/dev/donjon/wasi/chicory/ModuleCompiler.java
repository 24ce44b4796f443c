package dev.donjon.wasi.chicory;

import com.dylibso.chicory.compiler.Cache;
import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.compiler.internal.ByteClassCollector;
import com.dylibso.chicory.compiler.internal.Compiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import dev.donjon.wasi.chicory.split.LargeFunctionSplitter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.logging.Logger;

/**
 * Compiles a module with Chicory, then splits the methods of its very large functions
 * ({@link LargeFunctionSplitter}) before the classes are loaded.
 *
 * <p>The classes travel as Chicory's own cache entry (a jar with {@code wasm-module.properties} naming the main
 * class), handed to {@link MachineFactoryCompiler} through its {@link Cache} interface: that is the public way to
 * load classes Chicory did not just generate itself, and the same bytes are what the compiled-module cache keeps.
 */
final class ModuleCompiler {
    private static final Logger LOG = Logger.getLogger(ModuleCompiler.class.getName());
    static final LargeFunctionSplitter SPLITTER = Boolean.parseBoolean(System.getProperty("donjon.split", "true"))
            ? LargeFunctionSplitter.DEFAULT : null;

    private ModuleCompiler() {}

    /** Version of the transformation, for cache keys. */
    static String version() {
        return SPLITTER == null ? "unsplit" : SPLITTER.version();
    }

    /** The module's classes, as a Chicory cache entry. */
    static byte[] compile(WasmModule module) {
        var result = Compiler.builder(module)
                .withClassCollectorFactory(ByteClassCollector::new)
                .withInterpreterFallback(InterpreterFallback.SILENT)
                .build()
                .compile();
        if (!result.interpretedFunctions().isEmpty()) {
            LOG.info(() -> "functions too large for JVM methods run in Chicory's interpreter (much slower): "
                    + FunctionNames.describe(module, new TreeSet<>(result.interpretedFunctions())));
        }
        Map<String, byte[]> classes = result.classBytes();
        if (SPLITTER != null) {
            var report = SPLITTER.transform(classes);
            classes = report.classes();
            if (!report.splitMethods().isEmpty()) {
                LOG.fine(() -> "split " + report.splitMethods().size() + " large functions into " + report.parts()
                        + " more methods: " + report.splitMethods());
            }
        }
        return jar(result.collector().mainClassName(), classes);
    }

    /** Loads classes made by {@link #compile} (or read back from the compiled-module cache). */
    static Function<Instance, Machine> load(WasmModule module, byte[] jar) {
        return MachineFactoryCompiler.builder(module).withCache(new Cache() {
            @Override
            public byte[] get(String key) {
                return jar;
            }

            @Override
            public void putIfAbsent(String key, byte[] data) {
                // nothing: these classes came from here
            }
        }).compile();
    }

    private static byte[] jar(String mainClass, Map<String, byte[]> classes) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (JarOutputStream jar = new JarOutputStream(bytes)) {
                Properties p = new Properties();
                p.setProperty("mainClass", mainClass);
                jar.putNextEntry(new JarEntry("wasm-module.properties"));
                p.store(jar, null);
                jar.closeEntry();
                for (var e : classes.entrySet()) {
                    jar.putNextEntry(new JarEntry(e.getKey().replace('.', '/') + ".class"));
                    jar.write(e.getValue());
                    jar.closeEntry();
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
