package dev.donjon.wasi.chicory;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.WasmModule;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.jar.JarInputStream;
import java.util.zip.ZipEntry;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

/** Runs and inspects the classes {@link ModuleCompiler} makes, for tests that compare its variants. */
final class CompiledJars {
    private CompiledJars() {}

    /** The export's results, or "trap: " and the trap's message. */
    static String call(WasmModule module, byte[] jar, String export, long... args) {
        Instance instance = Instance.builder(module)
                .withMachineFactory(CompiledMachines.load(module, jar))
                .withMemoryFactory(ContiguousMemory::new)
                .build();
        try {
            return Arrays.toString(instance.export(export).apply(args));
        } catch (RuntimeException e) {
            return "trap: " + e.getMessage();
        }
    }

    /** Whether any class in the jar names {@code className} (internal form). */
    static boolean references(byte[] jar, String className) throws IOException {
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                if (new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).contains(className)) return true;
            }
        }
        return false;
    }

    /** How many calls in the jar's methods {@code site} accepts. */
    static int callSites(byte[] jar, Predicate<MethodInsnNode> site) throws IOException {
        int count = 0;
        for (MethodNode m : methods(jar)) {
            for (var insn : m.instructions) {
                if (insn instanceof MethodInsnNode call && site.test(call)) count++;
            }
        }
        return count;
    }

    /** Every method of every class in the jar. */
    static List<MethodNode> methods(byte[] jar) throws IOException {
        List<MethodNode> methods = new ArrayList<>();
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                if (!e.getName().endsWith(".class")) continue;
                ClassNode node = new ClassNode();
                new ClassReader(in.readAllBytes()).accept(node, 0);
                methods.addAll(node.methods);
            }
        }
        return methods;
    }

    /** A test resource's bytes. */
    static byte[] resource(String name) {
        try (InputStream in = CompiledJars.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
