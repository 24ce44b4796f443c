package dev.donjon.wasi.chicory;

import com.dylibso.chicory.compiler.internal.Compiler;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionBody;
import com.dylibso.chicory.wasm.types.FunctionType;
import dev.donjon.common.OneLine;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.commons.InstructionAdapter;
import org.objectweb.asm.commons.MethodRemapper;
import org.objectweb.asm.commons.SimpleRemapper;
import org.objectweb.asm.tree.MethodNode;

/**
 * The JVM code of wasm functions too large for one JVM method (64 KiB of bytecode), which Chicory 1.7 leaves to its
 * interpreter (pcre2's {@code match}, 100-300x slower there than compiled). Chicory generates their code as for any
 * function, but into an unbounded {@link MethodNode} instead of a class file; {@code LargeFunctionSplitter} then
 * cuts it into methods that fit, and they replace the interpreter stub Chicory put in the function's place.
 *
 * <p>Chicory has no public way to get a function's code without writing a class file, so this calls its compiler's
 * private {@code compileFunction} by reflection, on the {@link Compiler} that compiled the module (so that calls,
 * class names and the call_indirect bridges are those of the classes it made). It is tied to Chicory 1.7's
 * internals: when they change, {@link #available} turns false and such functions stay interpreted, as before
 * (compiled-module cache entries are keyed by Chicory's version, so old code is never mixed with new). Upstream,
 * this belongs in Chicory's {@code Compiler.emitFunctionGroup}: where it catches {@code MethodTooLargeException}
 * and falls back to the interpreter, it could split the method instead.
 */
final class OversizedFunctions {
    private static final Logger LOG = Logger.getLogger(OversizedFunctions.class.getName());
    /** Chicory's template of the per-module helper class, which its generated code is remapped from. */
    private static final String SHADED = "com/dylibso/chicory/compiler/internal/Shaded";

    private static final Method COMPILE_FUNCTION;
    private static final Field INTERPRETED;

    static {
        Method compile = null;
        Field interpreted = null;
        try {
            compile = Compiler.class.getDeclaredMethod(
                    "compileFunction",
                    String.class,
                    int.class,
                    FunctionType.class,
                    FunctionBody.class,
                    InstructionAdapter.class);
            compile.setAccessible(true);
            interpreted = Compiler.class.getDeclaredField("interpretedFunctions");
            interpreted.setAccessible(true);
            if (!Set.class.isAssignableFrom(interpreted.getType())) interpreted = null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.fine(() -> "Chicory's compiler internals are not those of 1.7: oversized functions stay interpreted ("
                    + OneLine.of(e) + ")");
            compile = null;
            interpreted = null;
        }
        COMPILE_FUNCTION = interpreted == null ? null : compile;
        INTERPRETED = compile == null ? null : interpreted;
    }

    private OversizedFunctions() {}

    /** Whether this Chicory's compiler can be asked for the code of a function it interpreted. */
    static boolean available() {
        return COMPILE_FUNCTION != null && INTERPRETED != null;
    }

    /**
     * The code Chicory would have generated for each of {@code functions}, by function index, each a method named and
     * typed as the stub it stands for ({@code descriptors}, by index). A function whose code cannot be had is left out.
     *
     * @param compiler  the compiler that compiled the module, after {@code compile()}
     * @param mainClass the module's main class, binary name ({@code com.dylibso.chicory.$gen.CompiledMachine})
     */
    static Map<Integer, MethodNode> emit(
            Compiler compiler, WasmModule module, String mainClass, Map<Integer, String> descriptors) {
        Map<Integer, MethodNode> result = new LinkedHashMap<>();
        if (!available() || descriptors.isEmpty()) return result;
        String owner = mainClass.replace('.', '/');
        SimpleRemapper shaded = new SimpleRemapper(Opcodes.ASM9, SHADED, owner + "Shaded");
        int imported = module.importSection().count(ExternalType.FUNCTION);
        Set<?> interpreted;
        try {
            interpreted = (Set<?>) INTERPRETED.get(compiler);
        } catch (IllegalAccessException e) {
            return result;
        }
        for (var e : descriptors.entrySet()) {
            int index = e.getKey();
            int local = index - imported;
            if (local < 0) continue;
            MethodNode method = new MethodNode(
                    Opcodes.ASM9, Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "func_" + index, e.getValue(), null, null);
            // The compiler emits a call to its interpreter for the functions in this set; out of it, the real code.
            // The compile is over, so the set no longer matters to the classes it made.
            interpreted.remove(index);
            try {
                FunctionType type = module.functionSection().getFunctionType(local, module.typeSection());
                FunctionBody body = module.codeSection().getFunctionBody(local);
                MethodRemapper visitor = new MethodRemapper(method, shaded);
                visitor.visitCode();
                COMPILE_FUNCTION.invoke(compiler, owner, index, type, body, new InstructionAdapter(visitor));
                visitor.visitMaxs(0, 0);
                visitor.visitEnd();
                result.put(index, method);
            } catch (IllegalAccessException | InvocationTargetException | RuntimeException ex) {
                Throwable cause =
                        ex instanceof InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : ex;
                LOG.fine(() -> "no code for " + FunctionNames.describe(module, index) + ": " + OneLine.of(cause));
            } finally {
                @SuppressWarnings("unchecked")
                Set<Integer> set = (Set<Integer>) interpreted;
                set.add(index);
            }
        }
        return result;
    }
}
