package dev.donjon.wasi.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.donjon.common.OneLine;
import dev.donjon.wasi.chicory.split.LargeFunctionSplitter;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.IntInsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * The splitter changes where code runs, never what it computes: split_cases.wat (br_table dispatch, loops, locals of
 * every type, multi-value blocks and functions, traps of every kind, recursion, exception handlers, 300 locals) runs
 * the same compiled as Chicory makes it and split as finely as the splitter can (every region over 24 bytes).
 */
class LargeFunctionSplitterTest {
    /** Splits wherever it can: almost every block of these small functions becomes a method. */
    private static final LargeFunctionSplitter FINE = new LargeFunctionSplitter(24, 1);

    private static WasmModule module;
    private static ModuleCompiler.Compiled whole;
    private static ModuleCompiler.Compiled split;

    @BeforeAll
    static void compile() throws IOException {
        try (InputStream in = LargeFunctionSplitterTest.class.getResourceAsStream("/wasm/split_cases.wasm")) {
            module = Parser.parse(in.readAllBytes());
        }
        whole = ModuleCompiler.compile(module, null);
        split = ModuleCompiler.compile(module, FINE);
    }

    @Test
    void splitsTheFunctionsItCanAndLeavesTheOthersWhole() {
        Set<String> splitNames = split.outcomes().stream()
                .filter(LargeFunctionSplitter.Outcome::split)
                .map(o -> name(o.method()))
                .collect(Collectors.toSet());
        for (String f : List.of("dispatch", "multi", "traps", "recurse", "deep", "float_bits", "many_locals")) {
            assertTrue(splitNames.contains(f), f + " was not split: " + split.outcomes());
        }
        // try_table compiles to a JVM exception handler: such methods stay whole; two results come back as a long[].
        assertFalse(splitNames.contains("catches"), "catches was split");
        assertFalse(splitNames.contains("divmod"), "divmod was split");
        assertTrue(split.interpreted().isEmpty());
    }

    @Test
    void dispatchLoop() {
        for (int n : new int[] {0, 1, 7, 100, 5_000}) {
            for (int seed : new int[] {0, 1, 42, -7, 123_456_789}) same("dispatch", n, seed);
        }
    }

    @Test
    void multiValue() {
        for (int n : new int[] {0, 1, 2, 3, 17, 1000, -5}) same("multi", n);
    }

    @Test
    void everyTrapTheSameWay() {
        for (int kind = 0; kind <= 8; kind++) {
            for (int v : new int[] {-1, 0, 5}) same("traps", kind, v);
        }
    }

    @Test
    void recursion() {
        for (int n : new int[] {0, 1, 2, 10, 20}) same("recurse", n);
        same("deep", 100);
        // deep enough to exhaust the stack: both trap, as "call stack exhausted"
        assertEquals(call(whole, "deep", 10_000_000), call(split, "deep", 10_000_000));
        assertTrue(call(split, "deep", 10_000_000).contains("call stack exhausted"), call(split, "deep", 10_000_000));
    }

    @Test
    void floatBitsSurviveTheFrame() {
        // signalling and quiet NaNs with payloads, infinities, denormals, negative zero
        for (int bits :
                new int[] {0x7fa00001, 0x7fc12345, 0xffb00000, 0x7f800000, 0x00000001, 0x80000000, 0x3f800000}) {
            same("float_bits", bits, 3);
        }
    }

    @Test
    void exceptionHandlers() {
        for (int n : new int[] {0, 5, 11, 40}) same("catches", n);
    }

    @Test
    void manyLocals() {
        for (int n : new int[] {0, 1, 3, 50}) same("many_locals", n);
    }

    /**
     * The frame a split function allocates at every call has a place only for the locals that cross between its
     * methods, and the result: many_locals has 301 locals, of which its loop uses about a hundred.
     */
    @Test
    void theFrameHoldsOnlyWhatCrosses() throws IOException {
        String root = split.outcomes().stream()
                .filter(o -> o.split() && name(o.method()).equals("many_locals"))
                .map(o -> o.method().substring(o.method().lastIndexOf('.') + 1))
                .findFirst()
                .orElseThrow();
        List<MethodNode> methods = CompiledJars.methods(split.jar()).stream()
                .filter(m -> m.name.equals(root) || m.name.startsWith(root + "$"))
                .toList();
        MethodNode rootMethod =
                methods.stream().filter(m -> m.name.equals(root)).findFirst().orElseThrow();
        int size = frameSize(rootMethod);
        BitSet used = new BitSet();
        for (MethodNode m : methods) {
            for (AbstractInsnNode insn : m.instructions) {
                int op = insn.getOpcode();
                if ((op == Opcodes.LALOAD || op == Opcodes.DUP2) && constant(insn.getPrevious()) >= 0)
                    used.set(constant(insn.getPrevious()));
                if (op == Opcodes.LASTORE) used.set(storedIndex(insn));
            }
        }
        assertTrue(size < 301, "frame of " + size + " longs for " + rootMethod.maxLocals + " JVM locals");
        assertEquals(size, used.cardinality(), "places used of the frame's " + size + ": " + used);
    }

    /** The length of the first long[] the method allocates. */
    private static int frameSize(MethodNode m) {
        for (AbstractInsnNode insn : m.instructions) {
            if (insn instanceof IntInsnNode n && n.getOpcode() == Opcodes.NEWARRAY && n.operand == Opcodes.T_LONG)
                return constant(insn.getPrevious());
        }
        throw new AssertionError(m.name + " allocates no frame");
    }

    /** The int an instruction pushes, or -1. */
    private static int constant(AbstractInsnNode insn) {
        if (insn == null) return -1;
        int op = insn.getOpcode();
        if (op >= Opcodes.ICONST_0 && op <= Opcodes.ICONST_5) return op - Opcodes.ICONST_0;
        if (insn instanceof IntInsnNode n && (op == Opcodes.BIPUSH || op == Opcodes.SIPUSH)) return n.operand;
        if (insn instanceof LdcInsnNode l && l.cst instanceof Integer i) return i;
        return -1;
    }

    /**
     * The index of a frame store ({@code aload frame; push index; value...; lastore}): the constant pushed right
     * after the frame's {@code aload}.
     */
    private static int storedIndex(AbstractInsnNode lastore) {
        for (AbstractInsnNode i = lastore.getPrevious(); i != null; i = i.getPrevious()) {
            if (i.getOpcode() == Opcodes.ALOAD) return constant(i.getNext());
        }
        return -1;
    }

    private static void same(String export, long... args) {
        String expected = call(whole, export, args);
        assertFalse(expected.startsWith("ERROR"), expected);
        assertEquals(expected, call(split, export, args), export + Arrays.toString(args));
    }

    /** The export's results on a fresh instance, or how it trapped. */
    private static String call(ModuleCompiler.Compiled compiled, String export, long... args) {
        Instance instance = Instance.builder(module)
                .withMachineFactory(CompiledMachines.load(module, compiled.jar()))
                .withMemoryFactory(ContiguousMemory::new) // as Donjon runs guests (MemoryInLocals needs it)
                .build();
        try {
            long[] r = instance.export(export).apply(args);
            return r == null ? "()" : Arrays.toString(r);
        } catch (RuntimeException e) {
            return "trap " + e.getClass().getSimpleName() + ": " + OneLine.of(e);
        } catch (StackOverflowError e) {
            return "ERROR stack overflow escaped";
        }
    }

    private static String name(String method) {
        int index = FunctionNames.index(method);
        String name = module.nameSection() == null ? null : module.nameSection().nameOfFunction(index);
        return name == null ? method : name;
    }
}
