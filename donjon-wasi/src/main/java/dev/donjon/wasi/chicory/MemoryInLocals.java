package dev.donjon.wasi.chicory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.IincInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LookupSwitchInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TableSwitchInsnNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Keeps the guest memory's array and size in two JVM locals of each compiled function, so that its loads and stores
 * read no field: Chicory's code reaches the array through the {@code Memory} interface at every access.
 *
 * <p>Why: a compiled guest function checks for interruption (a volatile read) at every loop back-edge and before
 * every call, and HotSpot's C2 may not move a field load across a volatile read: the array and the bounds were loaded
 * again at each access, in every iteration of every loop. Locals are not memory, so the checks no longer cost that:
 * the compute kernels' steady state is 23% faster (geomean; nbody 1.7x), the real programs level (bench/README.md,
 * "Memory in locals"). Only functions that loop, and make more loads and stores than calls, gain: see
 * {@link #loops} and {@link #accessesOutnumberCalls}.
 *
 * <p>The locals are loaded when the method starts and again after every call that is not a load, a store or a pure
 * operation, since only a call can grow the memory (the {@code memory.grow} instruction is itself a call into
 * Chicory's helpers, and so are host functions). Each load and store then calls {@link DirectMemoryAccess} with the
 * array and size, which check the wasm bounds. The memory must be a {@link ContiguousMemory}: Donjon gives every
 * guest one, except for a shared memory, whose module is compiled without this ({@link ModuleCompiler}). Methods with
 * exception handlers are left as they are (a handler would need the locals reloaded); so is a whole class in which
 * something unexpected turns up (leaving code as Chicory made it is always correct, only slower).
 *
 * <p>The accesses of every other method go to {@link DirectMemoryAccess} too, to overloads that take the
 * {@code Memory} as Chicory's helpers do ({@link #bindAccessors}): statically bound, so that C1 inlines them where it
 * never inlined Chicory's call through the interface (a large program runs C1's code through much of its warm-up;
 * the four real programs' first iteration 3-5% shorter, bench/README.md "Bound accessors; the serial collector").
 *
 * <p>Upstream, Chicory's compiler would emit this itself ({@code Emitters.emitLoadOrStore}, with the locals set up
 * in {@code Compiler.compileFunction}), for any memory that exposes its array.
 */
final class MemoryInLocals {
    private static final java.util.logging.Logger LOG =
            java.util.logging.Logger.getLogger(MemoryInLocals.class.getName());
    private static final String MEMORY = "com/dylibso/chicory/runtime/Memory";
    private static final String ACCESS = Type.getInternalName(DirectMemoryAccess.class);
    private static final String OPCODES = "com/dylibso/chicory/runtime/OpcodeImpl";
    private static final Pattern ACCESSOR = Pattern.compile("memory(Read|Write)(Byte|Short|Int|Long|Float|Double)");

    /** Chicory's helpers (in the generated {@code ...Shaded} class) after which the array and size are still right. */
    private static final Set<String> KEEPS_MEMORY = Set.of(
            "checkInterruption",
            "i32_ge_u",
            "getAddr",
            "isRefNull",
            "refAsNonNull",
            "readGlobal",
            "writeGlobal",
            "readGlobalRef",
            "memoryCopy",
            "memoryFill",
            "memoryPages");

    /**
     * Part of the compiled-module cache key ({@link Rewrites}): a change here must not reuse classes made by an
     * earlier version. A constant, so that the key is made without loading this class.
     */
    static final String VERSION = "memory-in-locals-6";

    private MemoryInLocals() {}

    /** Rewrites every class of a compiled module (class name -> bytes); classes without guest functions stay as they are. */
    static Map<String, byte[]> transform(Map<String, byte[]> classes) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (var e : classes.entrySet()) out.put(e.getKey(), transformClass(e.getValue()));
        return out;
    }

    static byte[] transformClass(byte[] bytes) {
        ClassNode node = new ClassNode();
        // expanded frames: each lists all its locals, so the two new ones can be appended to it
        new ClassReader(bytes).accept(node, ClassReader.EXPAND_FRAMES);
        try {
            boolean changed = false;
            for (MethodNode m : node.methods) changed |= transformMethod(m);
            if (!changed) return bytes;
            ClassWriter writer = new ClassWriter(0);
            node.accept(writer);
            return writer.toByteArray();
        } catch (RuntimeException e) {
            LOG.fine(() -> "memory left behind the Memory interface in " + node.name + ": " + e);
            return bytes;
        }
    }

    /** Returns whether {@code m} was changed. */
    static boolean transformMethod(MethodNode m) {
        boolean inLocals = keepInLocals(m);
        return Rewrites.BOUND_ACCESSORS ? bindAccessors(m) | inLocals : inLocals;
    }

    /**
     * Sends the accesses left to Chicory's helpers (all of a method without the locals) to {@link DirectMemoryAccess}'s
     * statically bound ones, which take the {@code Memory} as Chicory's do. Why: Chicory's helpers call the
     * {@code Memory} interface, which C1 never inlines, so in C1's code (where a large program spends its warm-up)
     * every load and store was a call through the interface.
     */
    private static boolean bindAccessors(MethodNode m) {
        boolean changed = false;
        for (AbstractInsnNode insn : m.instructions) {
            if (insn instanceof MethodInsnNode call && isAccessor(call)) {
                call.owner = ACCESS;
                call.name = accessName(call.name);
                call.itf = false;
                changed = true;
            }
        }
        return changed;
    }

    /** memoryReadInt -> readInt */
    private static String accessName(String accessor) {
        String name = accessor.substring("memory".length());
        return Character.toLowerCase(name.charAt(0)) + name.substring(1);
    }

    private static boolean keepInLocals(MethodNode m) {
        if ((m.access & Opcodes.ACC_STATIC) == 0 || !m.tryCatchBlocks.isEmpty()) return false;
        int memory = memorySlot(m.desc);
        if (memory < 0 || assigns(m, memory) || !loops(m) || !accessesOutnumberCalls(m)) return false;
        int array = m.maxLocals;
        int size = m.maxLocals + 1;
        InsnList code = m.instructions;
        for (AbstractInsnNode insn = code.getFirst(); insn != null; insn = insn.getNext()) {
            if (insn instanceof MethodInsnNode call) {
                if (isAccessor(call) && loadsMemory(call.getPrevious(), memory)) {
                    code.set(call.getPrevious(), new VarInsnNode(Opcodes.ALOAD, array));
                    code.insertBefore(call, new VarInsnNode(Opcodes.ILOAD, size));
                    call.owner = ACCESS;
                    call.name = accessName(call.name);
                    call.desc = call.desc.replace("L" + MEMORY + ";)", "[BI)");
                    call.itf = false;
                } else if (mayChangeMemory(call)) {
                    insn = refresh(code, insn, memory, array, size);
                }
            } else if (insn instanceof InvokeDynamicInsnNode) {
                insn = refresh(code, insn, memory, array, size);
            }
        }
        code.insert(setLocals(memory, array, size));
        for (AbstractInsnNode insn : code) {
            if (insn instanceof FrameNode frame) appendLocals(frame, array);
        }
        m.maxLocals += 2;
        m.maxStack += 1; // an access pushes the array and the size where Chicory's pushed the memory
        return true;
    }

    /**
     * Every frame is after the locals are set (they are set before the first instruction, and every jump target is
     * after it), and they keep their types: each frame gets them after its own locals, padded to their slot.
     */
    private static void appendLocals(FrameNode frame, int array) {
        if (frame.type != Opcodes.F_NEW) throw new IllegalStateException("frames must be expanded");
        List<Object> locals = frame.local == null ? new ArrayList<>() : new ArrayList<>(frame.local);
        int slots = 0;
        for (Object l : locals) slots += l == Opcodes.LONG || l == Opcodes.DOUBLE ? 2 : 1;
        if (slots > array) throw new IllegalStateException("a frame has more locals than the method");
        for (; slots < array; slots++) locals.add(Opcodes.TOP);
        locals.add("[B");
        locals.add(Opcodes.INTEGER);
        frame.local = locals;
    }

    /** Reloads the array and size after {@code insn}; returns the last instruction added. */
    private static AbstractInsnNode refresh(InsnList code, AbstractInsnNode insn, int memory, int array, int size) {
        InsnList reload = setLocals(memory, array, size);
        AbstractInsnNode last = reload.getLast();
        code.insert(insn, reload);
        return last;
    }

    private static InsnList setLocals(int memory, int array, int size) {
        InsnList l = new InsnList();
        l.add(new VarInsnNode(Opcodes.ALOAD, memory));
        l.add(new MethodInsnNode(Opcodes.INVOKESTATIC, ACCESS, "bytes", "(L" + MEMORY + ";)[B", false));
        l.add(new VarInsnNode(Opcodes.ASTORE, array));
        l.add(new VarInsnNode(Opcodes.ALOAD, memory));
        l.add(new MethodInsnNode(Opcodes.INVOKESTATIC, ACCESS, "size", "(L" + MEMORY + ";)I", false));
        l.add(new VarInsnNode(Opcodes.ISTORE, size));
        return l;
    }

    /** The slot of the method's one {@code Memory} parameter, or -1 when it has none or several. */
    static int memorySlot(String desc) {
        int slot = 0;
        int found = -1;
        for (Type t : Type.getArgumentTypes(desc)) {
            if (t.getSort() == Type.OBJECT && t.getInternalName().equals(MEMORY)) {
                if (found >= 0) return -1;
                found = slot;
            }
            slot += t.getSize();
        }
        return found;
    }

    private static boolean assigns(MethodNode m, int slot) {
        for (AbstractInsnNode insn : m.instructions) {
            if (insn instanceof VarInsnNode v && v.var == slot && v.getOpcode() == Opcodes.ASTORE) return true;
            if (insn instanceof IincInsnNode i && i.var == slot) return true;
        }
        return false;
    }

    /**
     * Whether {@code m} jumps backwards. Only a loop gains: without one, each access is reached once per call, and
     * setting the locals up at the start and after each call costs more than it saves (SQLite's many small functions
     * ran 10-30% slower with every function converted).
     */
    static boolean loops(MethodNode m) {
        java.util.Set<LabelNode> seen = new java.util.HashSet<>();
        for (AbstractInsnNode insn : m.instructions) {
            if (insn instanceof LabelNode l) seen.add(l);
            else if (insn instanceof JumpInsnNode j && seen.contains(j.label)) return true;
            else if (insn instanceof TableSwitchInsnNode t
                    && (seen.contains(t.dflt) || t.labels.stream().anyMatch(seen::contains))) return true;
            else if (insn instanceof LookupSwitchInsnNode t
                    && (seen.contains(t.dflt) || t.labels.stream().anyMatch(seen::contains))) return true;
        }
        return false;
    }

    /**
     * Whether {@code m} makes at least twice as many loads and stores as calls after which the locals would be set
     * again: an interpreter's dispatch loop (Lua's {@code luaV_execute}, split into a loop that calls a method per
     * group of opcodes) makes a few accesses and many calls, and ran 35% slower with the locals.
     */
    static boolean accessesOutnumberCalls(MethodNode m) {
        int accesses = 0;
        int calls = 0;
        for (AbstractInsnNode insn : m.instructions) {
            if (insn instanceof MethodInsnNode call) {
                if (isAccessor(call)) accesses++;
                else if (mayChangeMemory(call)) calls++;
            } else if (insn instanceof InvokeDynamicInsnNode) {
                calls++;
            }
        }
        return accesses > 0 && accesses >= 2 * calls;
    }

    private static boolean isAccessor(MethodInsnNode call) {
        return call.getOpcode() == Opcodes.INVOKESTATIC
                && call.owner.endsWith("Shaded")
                && ACCESSOR.matcher(call.name).matches()
                && call.desc.endsWith(
                        "L" + MEMORY + ";)" + Type.getReturnType(call.desc).getDescriptor());
    }

    /** The memory argument of an access is pushed just before the call: anything else is left alone. */
    private static boolean loadsMemory(AbstractInsnNode previous, int memory) {
        return previous instanceof VarInsnNode v && v.getOpcode() == Opcodes.ALOAD && v.var == memory;
    }

    /**
     * Any call may grow the memory (host functions, memory.grow, other guest functions), except these: the memory
     * accessors, pure operations, global reads and writes, and Chicory's helpers that work inside the memory without
     * replacing its array or changing its size ({@code memory.copy}, {@code memory.fill}, {@code memory.size}).
     */
    private static boolean mayChangeMemory(MethodInsnNode call) {
        if (call.owner.equals(ACCESS) || call.owner.equals(OPCODES) || call.owner.equals(DirectGlobals.OWNER))
            return false;
        return !(call.owner.endsWith("Shaded") && KEEPS_MEMORY.contains(call.name));
    }
}
