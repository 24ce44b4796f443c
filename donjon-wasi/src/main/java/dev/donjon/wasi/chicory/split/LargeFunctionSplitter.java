package dev.donjon.wasi.chicory.split;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.analysis.AnalyzerException;

/**
 * Splits the JVM methods that Chicory generates for very large wasm functions into methods small enough for
 * HotSpot's JIT compilers.
 *
 * <p>Why: Chicory compiles each wasm function to one static method. A large C function (an interpreter's dispatch
 * loop, SQLite's {@code sqlite3VdbeExec}) becomes tens of kilobytes of bytecode; C1 gives up on it ("out of virtual
 * registers"), C2 too ("out of nodes"), and it runs in the JVM's bytecode interpreter forever, 20-60x slower than
 * compiled. Here each such method is cut along its control flow (see {@link RegionPlan} and {@link Splitter}) into
 * methods of at most {@link #limit} bytes, which both compilers take.
 *
 * <p>It works on Chicory's output, not on Chicory: the classes are rewritten after Chicory generates them and
 * before they are loaded. It relies only on the shape of a generated function: a static method
 * {@code func_N(wasm params..., Memory, Instance)} without exception handlers. (The same pass would fit in
 * Chicory's compiler, after a function's method is generated, as an option.)
 */
public final class LargeFunctionSplitter {
    private static final Logger LOG = Logger.getLogger(LargeFunctionSplitter.class.getName());
    private static final String MEMORY = "com/dylibso/chicory/runtime/Memory";
    private static final String INSTANCE = "com/dylibso/chicory/runtime/Instance";

    /** Default: methods over 3,000 bytes are split into parts of at most about that, none under 300 bytes. */
    public static final LargeFunctionSplitter DEFAULT = new LargeFunctionSplitter(
            Integer.getInteger("donjon.split.limit", 3000), Integer.getInteger("donjon.split.minimum", 300));

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

    /** A version string for caches of transformed classes: a change here must not reuse old entries. */
    public String version() {
        return "split-1-" + limit + "-" + minimum;
    }

    /** What one call of {@link #transform(Map)} did. */
    public record Report(Map<String, byte[]> classes, List<String> splitMethods, int parts) {}

    /** Transforms every class of a compiled module (class name -> bytes); classes without large functions stay as they are. */
    public Report transform(Map<String, byte[]> classes) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        List<String> split = new ArrayList<>();
        int[] parts = {0};
        for (var e : classes.entrySet()) {
            out.put(e.getKey(), transformClass(e.getValue(), (m, n) -> {
                split.add(e.getKey() + "." + m);
                parts[0] += n;
            }));
        }
        return new Report(out, List.copyOf(split), parts[0]);
    }

    interface SplitListener {
        void split(String method, int parts);
    }

    byte[] transformClass(byte[] bytes, SplitListener listener) {
        ClassReader reader = new ClassReader(bytes);
        ClassWriter writer = new ClassWriter(reader, 0);
        List<MethodNode> added = new ArrayList<>();
        boolean[] changed = {false};
        String[] header = new String[3];
        int[] version = new int[2];
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public void visit(int v, int access, String name, String signature, String superName, String[] interfaces) {
                header[0] = name;
                header[1] = superName;
                version[0] = v;
                version[1] = access;
                super.visit(v, access, name, signature, superName, interfaces);
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String signature, String[] exceptions) {
                MethodVisitor next = super.visitMethod(access, name, desc, signature, exceptions);
                if (!candidate(access, name, desc)) return next; // copied through unchanged
                return new MethodNode(Opcodes.ASM9, access, name, desc, signature, exceptions) {
                    @Override
                    public void visitEnd() {
                        List<MethodNode> result = trySplit(header[0], this);
                        if (result == null) {
                            accept(next);
                            return;
                        }
                        List<MethodNode> framed = withFrames(version[0], version[1], header[0], header[1], result);
                        framed.getFirst().accept(next);
                        added.addAll(framed.subList(1, framed.size()));
                        changed[0] = true;
                        listener.split(name, framed.size() - 1);
                    }
                };
            }

            @Override
            public void visitEnd() {
                for (MethodNode m : added) {
                    m.accept(cv);
                }
                super.visitEnd();
            }
        }, 0);
        return changed[0] ? writer.toByteArray() : bytes;
    }

    private static boolean candidate(int access, String name, String desc) {
        if ((access & Opcodes.ACC_STATIC) == 0 || !name.startsWith("func_")) return false;
        Type[] args = Type.getArgumentTypes(desc);
        if (args.length < 2) return false;
        Type ret = Type.getReturnType(desc);
        return args[args.length - 2].getInternalName().equals(MEMORY) && args[args.length - 1].getInternalName().equals(INSTANCE)
                && (ret.getSort() == Type.VOID || FrameSlot.of(ret) != null);
    }

    /** The rewritten method and its parts, or null to leave it as it is. */
    private List<MethodNode> trySplit(String owner, MethodNode method) {
        int size = 0;
        for (var insn : method.instructions) size += BytecodeSize.of(insn);
        if (size <= limit || FlowGraph.unsupported(method)) return null;
        String only = System.getProperty("donjon.split.only");
        if (only != null && !java.util.Arrays.asList(only.split(",")).contains(method.name)) return null;
        try {
            Type[] args = Type.getArgumentTypes(method.desc);
            int memorySlot = 0;
            for (int i = 0; i < args.length - 2; i++) memorySlot += args[i].getSize();
            FlowGraph graph = FlowGraph.of(owner, method);
            RegionPlan plan = RegionPlan.of(graph, limit, minimum, memorySlot, memorySlot + 1);
            if (plan.outlined().isEmpty()) return null;
            return new Splitter(owner, method, graph, plan, memorySlot, memorySlot + 1).split();
        } catch (AnalyzerException | RuntimeException e) {
            // Leaving a method whole is always correct; it only runs slower.
            LOG.warning(() -> "cannot split " + owner + "." + method.name + " (" + size(method) + " bytes): " + e);
            return null;
        }
    }

    private static int size(MethodNode m) {
        int size = 0;
        for (var insn : m.instructions) size += BytecodeSize.of(insn);
        return size;
    }

    /** Computes stack map frames (and max stack/locals) for new methods, in a scratch class. */
    private static List<MethodNode> withFrames(int version, int access, String owner, String superName, List<MethodNode> methods) {
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
        return framed.methods;
    }
}
