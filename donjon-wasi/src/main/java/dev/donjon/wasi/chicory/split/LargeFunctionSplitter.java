package dev.donjon.wasi.chicory.split;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodTooLargeException;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.BasicVerifier;

/**
 * Splits the JVM methods that Chicory generates for very large wasm functions into methods small enough for
 * HotSpot's JIT compilers.
 *
 * <p>Why: Chicory compiles each wasm function to one static method. A large C function (an interpreter's dispatch
 * loop, SQLite's {@code sqlite3VdbeExec}) becomes tens of kilobytes of bytecode; C1 gives up on it ("out of virtual
 * registers"), C2 too ("out of nodes") or compiles it again and again, and it runs in the JVM's bytecode
 * interpreter, 20-60x slower than compiled. Here each such method is cut along its control flow (see
 * {@link RegionPlan} and {@link Splitter}) into methods of at most {@link #limit} bytes where the flow allows, which
 * both compilers take.
 *
 * <p>It works on Chicory's output, not on Chicory: the classes are rewritten after Chicory generates them and before
 * they are loaded. It relies only on the shape of a generated function: a static method
 * {@code func_N(wasm params..., Memory, Instance)} returning a primitive or nothing. Methods with exception handlers
 * (wasm exception handling) are left whole. Upstream, the same pass would run in Chicory's compiler on each
 * function's method before it is written ({@code Compiler.emitFunctionGroup}), as an option.
 */
public final class LargeFunctionSplitter {
    private static final String MEMORY = "com/dylibso/chicory/runtime/Memory";
    private static final String INSTANCE = "com/dylibso/chicory/runtime/Instance";
    /** HotSpot compiles no method over this many bytes of bytecode unless -XX:-DontCompileHugeMethods. */
    public static final int HUGE_METHOD_LIMIT = 8000;

    /**
     * Default: methods over 1,000 bytes are split into parts of at most about that, none under 300 bytes. Smaller
     * parts likely leave C2 inlining budget for the memory accessors and tier up sooner: against 3,000 (the first
     * default), each same-run pair of the real-programs benchmark and the json kernel used 0-15% less CPU; 8,000 was
     * slower than both (bench/README.md, "Real programs").
     */
    public static final int DEFAULT_LIMIT = 1000;

    /** The default {@code minimum} (see {@link #DEFAULT_LIMIT}). */
    public static final int DEFAULT_MINIMUM = 300;

    /** The splitter with {@link #DEFAULT_LIMIT} and {@link #DEFAULT_MINIMUM}. */
    public static final LargeFunctionSplitter DEFAULT = new LargeFunctionSplitter(DEFAULT_LIMIT, DEFAULT_MINIMUM);

    /**
     * The version of this transformation, for caches of transformed classes (with the limit and the minimum): a change
     * here must not reuse old entries. A constant, so that a cache key names it without loading this class (and ASM).
     */
    public static final String VERSION = "split-3";

    private final int limit;
    private final int minimum;

    /**
     * @param limit   methods over this many bytes of bytecode are split, into parts of at most this (where the
     *                method's control flow allows)
     * @param minimum no part is smaller than this: a call costs more than it saves below it
     */
    public LargeFunctionSplitter(int limit, int minimum) {
        if (limit < 1 || minimum < 1) throw new IllegalArgumentException("limit and minimum must be positive");
        this.limit = limit;
        this.minimum = minimum;
    }

    /** One method this pass split, or could not split though it is over {@link #HUGE_METHOD_LIMIT}. */
    public record Outcome(String method, int bytes, int parts, String reason) {
        /** Whether the method was split (into {@code parts} methods besides itself). */
        public boolean split() {
            return parts > 0;
        }
    }

    /** What one call of {@link #transform} did. */
    public record Report(Map<String, byte[]> classes, List<Outcome> outcomes) {}

    /** Transforms every class of a compiled module (class name -> bytes); classes without large functions stay as they are. */
    public Report transform(Map<String, byte[]> classes) {
        return transform(classes, Map.of());
    }

    /**
     * As {@link #transform(Map)}, also putting in the code of {@code replacements} (by method name) in place of the
     * methods of the same name and descriptor, split to fit: the code of functions too large for one method. A
     * replacement that cannot be split to fit is dropped and the method it was for stays as it is.
     */
    public Report transform(Map<String, byte[]> classes, Map<String, MethodNode> replacements) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        List<Outcome> outcomes = new ArrayList<>();
        for (var e : classes.entrySet()) {
            out.put(e.getKey(), transformClass(e.getValue(), replacements, outcomes));
        }
        return new Report(out, List.copyOf(outcomes));
    }

    byte[] transformClass(byte[] bytes, Map<String, MethodNode> replacements, List<Outcome> outcomes) {
        ClassReader reader = new ClassReader(bytes);
        ClassWriter writer = new ClassWriter(reader, 0);
        List<MethodNode> added = new ArrayList<>();
        boolean[] changed = {false};
        String[] header = new String[2];
        int[] version = new int[2];
        reader.accept(
                new ClassVisitor(Opcodes.ASM9, writer) {
                    @Override
                    public void visit(
                            int v, int access, String name, String signature, String superName, String[] interfaces) {
                        header[0] = name;
                        header[1] = superName;
                        version[0] = v;
                        version[1] = access;
                        super.visit(v, access, name, signature, superName, interfaces);
                    }

                    @Override
                    public MethodVisitor visitMethod(
                            int access, String name, String desc, String signature, String[] exceptions) {
                        MethodVisitor next = super.visitMethod(access, name, desc, signature, exceptions);
                        if (!candidate(access, name, desc)) return next; // copied through unchanged
                        MethodNode replacement = replacements.get(name);
                        boolean replacing = replacement != null && replacement.desc.equals(desc);
                        return new MethodNode(Opcodes.ASM9, access, name, desc, signature, exceptions) {
                            @Override
                            public void visitEnd() {
                                MethodNode source = replacing ? replacement : this;
                                int size = size(source);
                                List<MethodNode> result = null;
                                String reason = null;
                                if (size > limit || replacing) {
                                    try {
                                        result = split(header[0], source);
                                        if (result == null) reason = "its control flow offers no region to move out";
                                        else result = checked(version[0], version[1], header[0], header[1], result);
                                    } catch (AnalyzerException | RuntimeException e) {
                                        // Leaving a method whole is always correct; it only runs slower.
                                        result = null;
                                        reason = e instanceof MethodTooLargeException
                                                ? "a part would be over 64 KiB"
                                                : e.toString();
                                    }
                                }
                                if (result == null) {
                                    accept(next); // as Chicory made it (for a replacement: the interpreter stub)
                                    if (size > HUGE_METHOD_LIMIT)
                                        outcomes.add(new Outcome(header[0] + "." + name, size, 0, reason));
                                    return;
                                }
                                result.getFirst().accept(next);
                                added.addAll(result.subList(1, result.size()));
                                changed[0] = true;
                                outcomes.add(new Outcome(header[0] + "." + name, size, result.size() - 1, null));
                            }
                        };
                    }

                    @Override
                    public void visitEnd() {
                        for (MethodNode m : added) m.accept(cv);
                        super.visitEnd();
                    }
                },
                0);
        return changed[0] ? writer.toByteArray() : bytes;
    }

    private static boolean candidate(int access, String name, String desc) {
        if ((access & Opcodes.ACC_STATIC) == 0 || !name.startsWith("func_")) return false;
        Type[] args = Type.getArgumentTypes(desc);
        if (args.length < 2) return false;
        Type ret = Type.getReturnType(desc);
        return args[args.length - 2].getInternalName().equals(MEMORY)
                && args[args.length - 1].getInternalName().equals(INSTANCE)
                && (ret.getSort() == Type.VOID || FrameSlot.of(ret) != null);
    }

    /** The rewritten method and its parts, or null when nothing can be moved out. */
    private List<MethodNode> split(String owner, MethodNode method) throws AnalyzerException {
        if (FlowGraph.unsupported(method)) throw new IllegalStateException("it has exception handlers");
        Type[] args = Type.getArgumentTypes(method.desc);
        int memorySlot = 0;
        for (int i = 0; i < args.length - 2; i++) memorySlot += args[i].getSize();
        FlowGraph graph = FlowGraph.of(owner, method);
        RegionPlan plan = RegionPlan.of(graph, limit, minimum, memorySlot, memorySlot + 1);
        if (plan.outlined().isEmpty()) return null;
        return new Splitter(owner, method, graph, plan, memorySlot, memorySlot + 1).split();
    }

    static int size(MethodNode m) {
        int size = 0;
        for (var insn : m.instructions) size += BytecodeSize.of(insn);
        return size;
    }

    /**
     * The methods with stack map frames (and max stack/locals) computed, in a scratch class, each checked by ASM's
     * verifier: a mistake here must leave a method whole, never load code the JVM would reject at its first call.
     *
     * @throws MethodTooLargeException when one of them is still over the JVM's limit
     */
    private static List<MethodNode> checked(
            int version, int access, String owner, String superName, List<MethodNode> methods)
            throws AnalyzerException {
        ClassWriter scratch = new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
            @Override
            protected String getCommonSuperClass(String a, String b) {
                // Generated code merges only values of one type at a join (its own long[], Memory, Instance...)
                return a.equals(b) ? a : "java/lang/Object";
            }
        };
        scratch.visit(version, access, owner, null, superName, null);
        for (MethodNode m : methods) m.accept(scratch);
        scratch.visitEnd();
        ClassNode framed = new ClassNode();
        new ClassReader(scratch.toByteArray()).accept(framed, 0);
        for (MethodNode m : framed.methods) new Analyzer<>(new BasicVerifier()).analyze(owner, m);
        return framed.methods;
    }
}
