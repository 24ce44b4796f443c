package dev.donjon.wasi.chicory;

import com.dylibso.chicory.compiler.internal.MachineFactory;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.WasmModule;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;

/**
 * A module's compiled classes as one jar, in the form of a Chicory cache entry ({@code wasm-module.properties} naming
 * the main class): written for {@link ModuleCompiler}, kept as they are by the compiled-module cache, and loaded here.
 *
 * <p>Chicory's own way ({@code MachineFactoryCompiler.builder(module).withCache(...)}) does the same, but through its
 * compiler: it builds a {@code Compiler} and names each class by parsing it with ASM. A run of a cached module then
 * needs neither, and the start-up cache keeps every class a run loads and loads them all at every start; ASM's are
 * class files of Java 5, which the cache cannot keep, so the JVM read about twenty of them from the jar at every start
 * (bench/README.md, Start-up). Here the jar's entry names name the classes.
 */
final class CompiledMachines {
    private static final String PROPERTIES = "wasm-module.properties";
    private static final String MAIN_CLASS = "mainClass";
    private static final String SUFFIX = ".class";

    private CompiledMachines() {}

    /**
     * Defines and initializes every class of {@code jar} (the JVM verifies each, as Chicory does, so a bad class fails
     * here and not in the middle of a run) and returns the factory of the module's machines.
     */
    static Function<Instance, Machine> load(WasmModule module, byte[] jar) {
        Map<String, byte[]> classes = new HashMap<>();
        String mainClass = null;
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            for (JarEntry e; (e = in.getNextJarEntry()) != null; ) {
                String name = e.getName();
                if (name.equals(PROPERTIES)) {
                    Properties p = new Properties();
                    p.load(in);
                    mainClass = p.getProperty(MAIN_CLASS);
                } else if (name.endsWith(SUFFIX)) {
                    classes.put(
                            name.substring(0, name.length() - SUFFIX.length()).replace('/', '.'), in.readAllBytes());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (mainClass == null || !classes.containsKey(mainClass)) {
            throw new ChicoryException("compiled module without its main class");
        }
        List<String> names = List.copyOf(classes.keySet());
        ClassLoader loader = new ModuleClassLoader(classes);
        try {
            Class<? extends Machine> main =
                    Class.forName(mainClass, true, loader).asSubclass(Machine.class);
            for (String name : names) Class.forName(name, true, loader);
            MethodHandle constructor = MethodHandles.publicLookup()
                    .findConstructor(main, MethodType.methodType(void.class, Instance.class))
                    .asType(MethodType.methodType(Machine.class, Instance.class));
            return new MachineFactory(module, instance -> newMachine(constructor, instance));
        } catch (ReflectiveOperationException e) {
            throw new ChicoryException(e);
        }
    }

    /** The jar {@link #load} reads: {@code classes} (binary name -> class file) and the main class's name. */
    static byte[] jar(String mainClass, Map<String, byte[]> classes) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (JarOutputStream jar = new JarOutputStream(bytes)) {
                Properties p = new Properties();
                p.setProperty(MAIN_CLASS, mainClass);
                jar.putNextEntry(new JarEntry(PROPERTIES));
                p.store(jar, null);
                jar.closeEntry();
                for (var e : classes.entrySet()) {
                    jar.putNextEntry(new JarEntry(e.getKey().replace('.', '/') + SUFFIX));
                    jar.write(e.getValue());
                    jar.closeEntry();
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Machine newMachine(MethodHandle constructor, Instance instance) {
        try {
            return (Machine) constructor.invokeExact(instance);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new ChicoryException(t);
        }
    }

    /**
     * One module's classes, found by name; everything else from the loader of Chicory's compiler, as Chicory's own.
     * Each class's bytes are dropped once it is defined (the JVM never asks a loader twice for a class it defined).
     */
    private static final class ModuleClassLoader extends ClassLoader {
        private final Map<String, byte[]> classes;

        ModuleClassLoader(Map<String, byte[]> classes) {
            super(MachineFactory.class.getClassLoader());
            this.classes = classes;
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] bytes = classes.remove(name);
            if (bytes == null) throw new ClassNotFoundException(name);
            return defineClass(name, bytes, 0, bytes.length);
        }
    }
}
