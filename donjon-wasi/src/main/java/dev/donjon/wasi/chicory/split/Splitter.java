package dev.donjon.wasi.chicory.split;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.IincInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.IntInsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.LookupSwitchInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TableSwitchInsnNode;
import org.objectweb.asm.tree.VarInsnNode;
import org.objectweb.asm.tree.analysis.BasicValue;
import org.objectweb.asm.tree.analysis.Frame;

/**
 * Rewrites one method along a {@link RegionPlan}: each chosen region becomes a static method
 * {@code int name$k(long[] frame, Memory memory, Instance instance, int entry)} and its place in the caller becomes
 * a call.
 *
 * <p>The locals keep their slot numbers everywhere (shifted by four in the new methods, after their parameters),
 * and the frame, one {@code long[]} per call of the original method, carries the values that cross a boundary:
 * before a call the caller stores the locals the region may read (live at an entry and used inside), after it the
 * caller reloads the locals the region may have changed that are live where it left. The call returns which exit it
 * took (an index into the region's exits), or -1 when the function returned, its result in the frame's last place.
 * A region with several entries starts with a switch on {@code entry}; in the caller each entry is a small stub
 * that pushes its number and joins the common call.
 *
 * <p>The frame has a place only for the locals that ever cross a boundary, and the result: it is allocated at every
 * call of a split function, and a pattern matcher's or allocator's function, split and called millions of times a
 * second, made the frame most of what a guest allocated.
 */
final class Splitter {
    private static final int RETURNED = -1;
    /** In a region's method: parameters frame, memory, instance and entry, then the original locals. */
    private static final int ENTRY = 3;

    private static final int FIRST_LOCAL = 4;

    private final String owner;
    private final MethodNode method;
    private final FlowGraph graph;
    private final RegionPlan plan;
    private final int memorySlot;
    private final int instanceSlot;
    private final FrameSlot returnType;
    private final String regionDescriptor;
    /** Each local's place in the frame, -1 for those that never cross a boundary; the result comes after them. */
    private final int[] frameIndex;

    private final int resultIndex;
    private final int[] blockOfInsn;
    private final Map<LabelNode, Integer> indexOfLabel = new IdentityHashMap<>();
    private final LabelNode[] leadingLabel;
    private final Map<Integer, Region> outlinedAt = new HashMap<>();

    Splitter(String owner, MethodNode method, FlowGraph graph, RegionPlan plan, int memorySlot, int instanceSlot) {
        this.owner = owner;
        this.method = method;
        this.graph = graph;
        this.plan = plan;
        this.memorySlot = memorySlot;
        this.instanceSlot = instanceSlot;
        Type[] args = Type.getArgumentTypes(method.desc);
        this.returnType = FrameSlot.of(Type.getReturnType(method.desc));
        this.regionDescriptor =
                "([J" + args[args.length - 2].getDescriptor() + args[args.length - 1].getDescriptor() + "I)I";
        this.frameIndex = new int[method.maxLocals];
        java.util.Arrays.fill(frameIndex, -1);
        BitSet crossing = new BitSet();
        for (Region r : plan.outlined()) {
            crossing.or(r.in);
            for (BitSet in : r.inAt) crossing.or(in);
            for (BitSet out : r.out) crossing.or(out);
        }
        int next = 0;
        for (int s = crossing.nextSetBit(0); s >= 0 && s < frameIndex.length; s = crossing.nextSetBit(s + 1))
            frameIndex[s] = next++;
        this.resultIndex = next;
        this.blockOfInsn = new int[graph.insns.length];
        this.leadingLabel = new LabelNode[graph.blocks];
        for (int b = 0; b < graph.blocks; b++) {
            for (int i = graph.blockStart[b]; i < graph.blockStart[b + 1]; i++) {
                blockOfInsn[i] = b;
                if (graph.insns[i] instanceof LabelNode l) {
                    indexOfLabel.put(l, i);
                    if (leadingLabel[b] == null && leadsBlock(b, i)) leadingLabel[b] = l;
                }
            }
        }
    }

    private boolean leadsBlock(int b, int index) {
        for (int i = graph.blockStart[b]; i < index; i++) {
            if (graph.insns[i].getOpcode() >= 0) return false;
        }
        return true;
    }

    /** The rewritten method (same name and descriptor) followed by the methods split off it. */
    List<MethodNode> split() {
        List<Region> regions = plan.outlined();
        int k = 0;
        for (Region r : regions) {
            r.methodName = method.name + "$" + k++;
            outlinedAt.put(r.first, r);
        }
        List<MethodNode> result = new ArrayList<>();
        result.add(rewriteRoot());
        for (Region r : regions) result.add(regionMethod(r));
        return result;
    }

    private MethodNode rewriteRoot() {
        MethodNode m = new MethodNode(
                Opcodes.ASM9,
                method.access,
                method.name,
                method.desc,
                method.signature,
                method.exceptions.toArray(String[]::new));
        Body body = new Body(plan.root, method.maxLocals);
        InsnList code = m.instructions;
        code.add(push(resultIndex + 1));
        code.add(new IntInsnNode(Opcodes.NEWARRAY, Opcodes.T_LONG));
        code.add(new VarInsnNode(Opcodes.ASTORE, body.frame));
        Frame<BasicValue> start = graph.frames[0];
        for (int s = body.resident.nextSetBit(0); s >= 0 && s < memorySlot; s = body.resident.nextSetBit(s + 1)) {
            FrameSlot.of(start.getLocal(s)).store(code, body.frame, index(s), s); // a parameter that lives in the frame
        }
        initializeStored(body, code);
        walk(body, code);
        return m;
    }

    /**
     * Gives locals a value at the start of the body where the verifier would otherwise see them unassigned on some
     * path: the locals a call stores into the frame (a group's call stores the union of what its entries need, and
     * a local live at one entry may not have been assigned yet on the way to another; its stored value is then
     * never read), and, after a group's call, the locals live where it exits (the verifier follows every exit from
     * every entry, though an entry only reaches some). On the paths that matter they are assigned again before use.
     */
    private void initializeStored(Body body, InsnList code) {
        for (Region c : directlyOutlined(body.region)) {
            initialize(body, c.in, graph.entryFrame(c.first), code);
            if (c.entries.length > 1) {
                for (int exit : c.exits) initialize(body, graph.liveIn[exit], graph.entryFrame(exit), code);
            }
        }
    }

    private void initialize(Body body, BitSet slots, Frame<BasicValue> types, InsnList code) {
        for (int s = slots.nextSetBit(0); s >= 0; s = slots.nextSetBit(s + 1)) {
            // (the root's parameters, and Memory and Instance everywhere, have their values already)
            if (s == memorySlot || s == instanceSlot || body.resident.get(s) || (body.isRoot() && s < memorySlot))
                continue;
            if (s >= types.getLocals() || !body.initialized.add(s)) continue;
            BasicValue v = types.getLocal(s);
            FrameSlot type = FrameSlot.of(v);
            if (type == null) {
                if (v == null || !v.isReference()) continue;
                code.add(new InsnNode(Opcodes.ACONST_NULL));
                code.add(new VarInsnNode(Opcodes.ASTORE, body.slot(s)));
                continue;
            }
            code.add(
                    switch (type) {
                        case INT -> new InsnNode(Opcodes.ICONST_0);
                        case LONG -> new InsnNode(Opcodes.LCONST_0);
                        case FLOAT -> new InsnNode(Opcodes.FCONST_0);
                        case DOUBLE -> new InsnNode(Opcodes.DCONST_0);
                    });
            code.add(new VarInsnNode(type.store, body.slot(s)));
        }
    }

    private MethodNode regionMethod(Region r) {
        MethodNode m = new MethodNode(
                Opcodes.ASM9,
                Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC | Opcodes.ACC_SYNTHETIC,
                r.methodName,
                regionDescriptor,
                null,
                null);
        Body body = new Body(r, 0);
        InsnList code = m.instructions;
        for (int exit : r.exits) body.exitStubs.put(exit, new LabelNode());
        initializeStored(body, code);
        if (r.entries.length == 1) {
            loadEntry(body, 0, code);
        } else {
            LabelNode[] cases = new LabelNode[r.entries.length];
            for (int e = 0; e < cases.length; e++) cases[e] = new LabelNode();
            code.add(new VarInsnNode(Opcodes.ILOAD, ENTRY));
            code.add(new TableSwitchInsnNode(0, cases.length - 1, cases[0], cases));
            for (int e = cases.length - 1; e >= 0; e--) {
                code.add(cases[e]);
                loadEntry(body, e, code);
                if (e > 0) code.add(new JumpInsnNode(Opcodes.GOTO, body.target(r.entries[e])));
            }
        }
        walk(body, code);
        AbstractInsnNode last = graph.lastCode(r.end - 1);
        if (last == null || FlowGraph.fallsThrough(last)) {
            LabelNode next = body.exitStubs.get(r.end);
            if (next == null) throw new IllegalStateException("region " + r + " falls off its end");
            code.add(new JumpInsnNode(Opcodes.GOTO, next));
        }
        for (int x = 0; x < r.exits.length; x++) {
            code.add(body.exitStubs.get(r.exits[x]));
            Frame<BasicValue> f = graph.entryFrame(r.exits[x]);
            BitSet out = r.out[x];
            for (int s = out.nextSetBit(0); s >= 0; s = out.nextSetBit(s + 1)) {
                if (!body.resident.get(s)) FrameSlot.of(f.getLocal(s)).store(code, body.frame, index(s), body.slot(s));
            }
            code.add(push(x));
            code.add(new InsnNode(Opcodes.IRETURN));
        }
        return m;
    }

    private void loadEntry(Body body, int e, InsnList code) {
        Region r = body.region;
        Frame<BasicValue> f = graph.entryFrame(r.entries[e]);
        BitSet in = r.inAt[e];
        for (int s = in.nextSetBit(0); s >= 0; s = in.nextSetBit(s + 1)) {
            if (!body.resident.get(s)) FrameSlot.of(f.getLocal(s)).load(code, body.frame, index(s), body.slot(s));
        }
    }

    /** Where local {@code s} is in the frame. */
    private int index(int s) {
        int i = s < frameIndex.length ? frameIndex[s] : -1;
        if (i < 0) throw new IllegalStateException("local " + s + " has no place in the frame");
        return i;
    }

    /** Copies the code of {@code body}'s region, with the regions moved out of it replaced by calls. */
    private void walk(Body body, InsnList code) {
        Region region = body.region;
        int pos = graph.blockStart[region.first];
        int end = graph.blockStart[region.end];
        while (pos < end) {
            int b = blockOfInsn[pos];
            if (pos == graph.blockStart[b]) {
                Region child = body.childAt[b - region.first];
                if (child != null) {
                    call(body, child, code);
                    pos = graph.blockStart[child.end];
                    continue;
                }
                LabelNode synthetic = body.blockLabels.get(b);
                if (synthetic != null) code.add(synthetic);
            }
            copy(body, graph.insns[pos], code);
            pos++;
        }
    }

    /** The outlined regions inside {@code region} that no other outlined region inside it contains. */
    private List<Region> directlyOutlined(Region region) {
        List<Region> result = new ArrayList<>();
        List<Region> todo = new ArrayList<>(region.children);
        while (!todo.isEmpty()) {
            Region r = todo.removeLast();
            if (r.outlined) result.add(r);
            else todo.addAll(r.children);
        }
        return result;
    }

    private void copy(Body body, AbstractInsnNode insn, InsnList code) {
        switch (insn) {
            case LabelNode l -> code.add(body.own(l));
            case LineNumberNode ignored -> {}
            case FrameNode ignored -> {}
            case VarInsnNode v
            when body.resident.get(v.var) -> {
                FrameSlot type = FrameSlot.ofOpcode(v.getOpcode());
                if (v.getOpcode() == type.load) {
                    code.add(new VarInsnNode(Opcodes.ALOAD, body.frame));
                    code.add(push(index(v.var)));
                    code.add(new InsnNode(Opcodes.LALOAD));
                    type.fromLong(code);
                } else {
                    code.add(new VarInsnNode(type.store, body.scratch()));
                    type.store(code, body.frame, index(v.var), body.scratch());
                }
            }
            case IincInsnNode v
            when body.resident.get(v.var) -> {
                code.add(new VarInsnNode(Opcodes.ALOAD, body.frame));
                code.add(push(index(v.var)));
                code.add(new InsnNode(Opcodes.DUP2));
                code.add(new InsnNode(Opcodes.LALOAD));
                code.add(new InsnNode(Opcodes.L2I));
                code.add(push(v.incr));
                code.add(new InsnNode(Opcodes.IADD));
                code.add(new InsnNode(Opcodes.I2L));
                code.add(new InsnNode(Opcodes.LASTORE));
            }
            case VarInsnNode v -> code.add(new VarInsnNode(v.getOpcode(), body.slot(v.var)));
            case IincInsnNode v -> code.add(new IincInsnNode(body.slot(v.var), v.incr));
            case JumpInsnNode j -> code.add(new JumpInsnNode(j.getOpcode(), body.target(j.label)));
            case TableSwitchInsnNode t ->
                code.add(new TableSwitchInsnNode(
                        t.min,
                        t.max,
                        body.target(t.dflt),
                        t.labels.stream().map(body::target).toArray(LabelNode[]::new)));
            case LookupSwitchInsnNode t ->
                code.add(new LookupSwitchInsnNode(
                        body.target(t.dflt),
                        t.keys.stream().mapToInt(Integer::intValue).toArray(),
                        t.labels.stream().map(body::target).toArray(LabelNode[]::new)));
            default -> {
                if (FlowGraph.isReturn(insn) && !body.isRoot()) {
                    returnFromRegion(body, insn, code);
                } else {
                    code.add(insn.clone(Map.of()));
                }
            }
        }
    }

    /** In a region, the function's return: its result into the frame, and exit code -1. */
    private void returnFromRegion(Body body, AbstractInsnNode insn, InsnList code) {
        if (insn.getOpcode() != Opcodes.RETURN) {
            int tmp = method.maxLocals + FIRST_LOCAL + 1;
            code.add(new VarInsnNode(returnType.store, tmp));
            returnType.store(code, body.frame, resultIndex, tmp);
        }
        code.add(push(RETURNED));
        code.add(new InsnNode(Opcodes.IRETURN));
    }

    /**
     * The call that replaces region c in body: locals into the frame, the call, and a jump to where c exited. Control
     * that reaches c's first block from before it falls into the call; jumps to any of c's entries go to a stub
     * that pushes the entry's number and joins the call.
     */
    private void call(Body body, Region c, InsnList code) {
        boolean several = c.entries.length > 1;
        LabelNode join = new LabelNode();
        code.add(body.entryStub(c, 0));
        if (several) {
            // The entry number goes through a local, not the stack: the other entries jump back to the join, and
            // HotSpot compiles a loop through a backward jump (on-stack replacement) only where the stack is empty.
            code.add(push(0));
            code.add(new VarInsnNode(Opcodes.ISTORE, body.entryTemp()));
            code.add(join);
        }
        Frame<BasicValue> entry = graph.entryFrame(c.first);
        for (int s = c.in.nextSetBit(0); s >= 0; s = c.in.nextSetBit(s + 1)) {
            if (!body.resident.get(s)) FrameSlot.of(entry.getLocal(s)).store(code, body.frame, index(s), body.slot(s));
        }
        code.add(new VarInsnNode(Opcodes.ALOAD, body.frame));
        code.add(new VarInsnNode(Opcodes.ALOAD, body.slot(memorySlot)));
        code.add(new VarInsnNode(Opcodes.ALOAD, body.slot(instanceSlot)));
        code.add(several ? new VarInsnNode(Opcodes.ILOAD, body.entryTemp()) : push(0));
        code.add(new MethodInsnNode(Opcodes.INVOKESTATIC, owner, c.methodName, regionDescriptor, false));
        int exits = c.exits.length;
        if (exits == 1 && !c.returns) {
            code.add(new InsnNode(Opcodes.POP));
            exitTo(body, c, 0, code);
        } else if (exits == 0) {
            code.add(new InsnNode(Opcodes.POP));
            returnFrom(body, code);
        } else {
            int offset = c.returns ? 1 : 0;
            LabelNode[] cases = new LabelNode[exits + offset];
            for (int i = 0; i < cases.length; i++) cases[i] = new LabelNode();
            code.add(new TableSwitchInsnNode(-offset, exits - 1, cases[0], cases));
            if (c.returns) {
                code.add(cases[0]);
                returnFrom(body, code);
            }
            for (int x = 0; x < exits; x++) {
                code.add(cases[x + offset]);
                exitTo(body, c, x, code);
            }
        }
        for (int e = 1; e < c.entries.length; e++) {
            code.add(body.entryStub(c, e));
            code.add(push(e));
            code.add(new VarInsnNode(Opcodes.ISTORE, body.entryTemp()));
            code.add(new JumpInsnNode(Opcodes.GOTO, join));
        }
    }

    private void exitTo(Body body, Region c, int x, InsnList code) {
        Frame<BasicValue> f = graph.entryFrame(c.exits[x]);
        BitSet out = c.out[x];
        for (int s = out.nextSetBit(0); s >= 0; s = out.nextSetBit(s + 1)) {
            if (!body.resident.get(s)) FrameSlot.of(f.getLocal(s)).load(code, body.frame, index(s), body.slot(s));
        }
        code.add(new JumpInsnNode(Opcodes.GOTO, body.target(c.exits[x])));
    }

    /** After a call that returned from the function: return too (with the result, from the frame, at the root). */
    private void returnFrom(Body body, InsnList code) {
        if (!body.isRoot()) {
            code.add(push(RETURNED));
            code.add(new InsnNode(Opcodes.IRETURN));
        } else if (returnType == null) {
            code.add(new InsnNode(Opcodes.RETURN));
        } else {
            code.add(new VarInsnNode(Opcodes.ALOAD, body.frame));
            code.add(push(resultIndex));
            code.add(new InsnNode(Opcodes.LALOAD));
            returnType.fromLong(code);
            code.add(new InsnNode(returnType.returnOpcode()));
        }
    }

    static AbstractInsnNode push(int value) {
        if (value >= -1 && value <= 5) return new InsnNode(Opcodes.ICONST_0 + value);
        if (value == (byte) value) return new IntInsnNode(Opcodes.BIPUSH, value);
        if (value == (short) value) return new IntInsnNode(Opcodes.SIPUSH, value);
        return new LdcInsnNode(value);
    }

    /** The method being written: the root (the original method) or a region's new method. */
    private final class Body {
        final Region region;
        /** Local slot of the frame array. */
        final int frame;

        final Map<LabelNode, LabelNode> labels = new IdentityHashMap<>();
        /** For a region: where each exit's code is (it stores the changed locals and returns the exit code). */
        final Map<Integer, LabelNode> exitStubs = new HashMap<>();
        /** Labels for blocks that calls exit to but that start without a label of their own. */
        final Map<Integer, LabelNode> blockLabels = new HashMap<>();
        /** For each block of the region, the region moved out of this body that holds it, if any. */
        final Region[] childAt;
        /** Where the call of each moved-out region is entered, by region and entry. */
        final Map<Region, LabelNode[]> entryStubs = new IdentityHashMap<>();

        final java.util.Set<Integer> initialized = new java.util.HashSet<>();
        /**
         * Locals this body keeps in the frame rather than in JVM locals: those its calls would otherwise copy to
         * and from the frame more often than its own code uses them (an interpreter's state in its dispatch loop).
         */
        final BitSet resident;

        Body(Region region, int frame) {
            this.region = region;
            this.frame = frame;
            this.childAt = new Region[region.end - region.first];
            List<Region> children = directlyOutlined(region);
            for (Region c : children) {
                for (int b = c.first; b < c.end; b++) childAt[b - region.first] = c;
                for (int exit : c.exits) {
                    if (region.contains(exit) && leadingLabel[exit] == null)
                        blockLabels.putIfAbsent(exit, new LabelNode());
                }
            }
            this.resident = chooseResident(children);
        }

        private BitSet chooseResident(List<Region> children) {
            int[] copies = new int[method.maxLocals];
            for (Region c : children) {
                for (int s = c.in.nextSetBit(0); s >= 0; s = c.in.nextSetBit(s + 1)) copies[s]++;
                for (BitSet o : c.out) {
                    for (int s = o.nextSetBit(0); s >= 0; s = o.nextSetBit(s + 1)) copies[s]++;
                }
            }
            int[] uses = new int[method.maxLocals];
            BitSet references = new BitSet();
            for (int i = graph.blockStart[region.first]; i < graph.blockStart[region.end]; i++) {
                Region c = childAt[blockOfInsn[i] - region.first];
                if (c != null) {
                    i = graph.blockStart[c.end] - 1;
                    continue;
                }
                if (graph.insns[i] instanceof VarInsnNode v) {
                    uses[v.var]++;
                    if (FrameSlot.ofOpcode(v.getOpcode()) == null) references.set(v.var);
                } else if (graph.insns[i] instanceof IincInsnNode v) {
                    uses[v.var]++;
                }
            }
            BitSet resident = new BitSet();
            for (int s = 0; s < copies.length; s++) {
                if (copies[s] >= 2
                        && copies[s] >= uses[s]
                        && !references.get(s)
                        && s != memorySlot
                        && s != instanceSlot) {
                    resident.set(s);
                }
            }
            return resident;
        }

        /** Two slots for a value on its way into the frame. */
        int scratch() {
            return isRoot() ? method.maxLocals + 2 : method.maxLocals + FIRST_LOCAL + 3;
        }

        boolean isRoot() {
            return region.parent == null;
        }

        int slot(int s) {
            if (isRoot()) return s;
            if (s == memorySlot) return 1;
            if (s == instanceSlot) return 2;
            return s + FIRST_LOCAL;
        }

        /** A scratch local for the entry number of a call. */
        int entryTemp() {
            return isRoot() ? method.maxLocals + 1 : method.maxLocals + FIRST_LOCAL;
        }

        LabelNode own(LabelNode l) {
            return labels.computeIfAbsent(l, k -> new LabelNode());
        }

        LabelNode entryStub(Region c, int e) {
            return entryStubs
                    .computeIfAbsent(c, k -> {
                        LabelNode[] stubs = new LabelNode[k.entries.length];
                        for (int i = 0; i < stubs.length; i++) stubs[i] = new LabelNode();
                        return stubs;
                    })[e];
        }

        LabelNode target(LabelNode l) {
            int b = blockOfInsn[indexOfLabel.get(l)];
            if (!region.contains(b)) return exit(b);
            return childAt[b - region.first] != null ? moved(b) : own(l);
        }

        LabelNode target(int block) {
            if (!region.contains(block)) return exit(block);
            if (childAt[block - region.first] != null) return moved(block);
            LabelNode lead = leadingLabel[block];
            return lead != null ? own(lead) : blockLabels.get(block);
        }

        /** The stub for entering the moved-out region that holds {@code block}: it must be one of its entries. */
        private LabelNode moved(int block) {
            Region c = childAt[block - region.first];
            int e = java.util.Arrays.binarySearch(c.entries, block);
            if (e < 0)
                throw new IllegalStateException("block " + block + " is inside " + c + " but not an entry of it");
            return entryStub(c, e);
        }

        private LabelNode exit(int block) {
            LabelNode stub = exitStubs.get(block);
            if (stub == null) throw new IllegalStateException("no exit to block " + block + " from " + region);
            return stub;
        }
    }
}
