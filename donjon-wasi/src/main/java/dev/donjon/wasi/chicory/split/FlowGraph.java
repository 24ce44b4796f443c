package dev.donjon.wasi.chicory.split;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.IincInsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LookupSwitchInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TableSwitchInsnNode;
import org.objectweb.asm.tree.VarInsnNode;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.BasicInterpreter;
import org.objectweb.asm.tree.analysis.BasicValue;
import org.objectweb.asm.tree.analysis.Frame;

/**
 * The basic blocks of one method, in code order, with their edges, the type of every local and the stack depth at
 * each instruction (ASM's analyzer), and which locals are live where. Exceptions are not modelled: the splitter only
 * takes methods without exception handlers.
 */
final class FlowGraph {
    final AbstractInsnNode[] insns;
    final Frame<BasicValue>[] frames;
    /** First instruction index of each block; {@code blockStart[blocks]} is the instruction count. */
    final int[] blockStart;

    final int blocks;
    final int[][] successors;
    /** Lowest and highest index of a block with an edge into each block ({@code MAX_VALUE}/{@code -1}: none). */
    final int[] lowestPredecessor;

    final int[] highestPredecessor;
    /** Number of edges into each block. */
    final int[] predecessorCount;
    /** Locals read or written (by slot), written, and live at the block's start. */
    final BitSet[] touched;

    final BitSet[] written;
    final BitSet[] liveIn;
    /** Estimated bytecode size of instructions [0, i): {@code bytesBefore[i]}. */
    final int[] bytesBefore;

    private FlowGraph(AbstractInsnNode[] insns, Frame<BasicValue>[] frames, int[] blockStart, int[][] successors) {
        this.insns = insns;
        this.frames = frames;
        this.blockStart = blockStart;
        this.blocks = blockStart.length - 1;
        this.successors = successors;
        this.lowestPredecessor = new int[blocks];
        this.highestPredecessor = new int[blocks];
        Arrays.fill(lowestPredecessor, Integer.MAX_VALUE);
        Arrays.fill(highestPredecessor, -1);
        this.predecessorCount = new int[blocks];
        for (int b = 0; b < blocks; b++) {
            for (int s : successors[b]) {
                predecessorCount[s]++;
                lowestPredecessor[s] = Math.min(lowestPredecessor[s], b);
                highestPredecessor[s] = Math.max(highestPredecessor[s], b);
            }
        }
        this.bytesBefore = new int[insns.length + 1];
        for (int i = 0; i < insns.length; i++) bytesBefore[i + 1] = bytesBefore[i] + BytecodeSize.of(insns[i]);
        this.touched = new BitSet[blocks];
        this.written = new BitSet[blocks];
        this.liveIn = new BitSet[blocks];
        computeLiveness();
    }

    /** @throws AnalyzerException if the method does not verify (then it is left alone) */
    static FlowGraph of(String owner, MethodNode method) throws AnalyzerException {
        AbstractInsnNode[] insns = method.instructions.toArray();
        Frame<BasicValue>[] frames = analyze(owner, method);
        Set<LabelNode> targets = new HashSet<>();
        for (AbstractInsnNode insn : insns) targets.addAll(jumpTargets(insn));
        // A block starts at the first instruction, at a jump target (a run of labels starts one block) and after a
        // jump, a switch, a return or a throw.
        List<Integer> starts = new ArrayList<>();
        boolean startNext = true;
        boolean hasCode = false;
        for (int i = 0; i < insns.length; i++) {
            AbstractInsnNode insn = insns[i];
            boolean target = insn instanceof LabelNode l && targets.contains(l);
            if (startNext || (target && hasCode)) {
                starts.add(i);
                hasCode = false;
                startNext = false;
            }
            if (insn.getOpcode() >= 0) {
                hasCode = true;
                startNext = endsBlock(insn);
            }
        }
        int[] blockStart = new int[starts.size() + 1];
        for (int b = 0; b < starts.size(); b++) blockStart[b] = starts.get(b);
        blockStart[starts.size()] = insns.length;
        int blocks = starts.size();
        Map<LabelNode, Integer> blockOfLabel = new HashMap<>();
        for (int b = 0; b < blocks; b++) {
            for (int i = blockStart[b]; i < blockStart[b + 1]; i++) {
                if (insns[i] instanceof LabelNode l) blockOfLabel.put(l, b);
            }
        }
        int[][] successors = new int[blocks][];
        for (int b = 0; b < blocks; b++) {
            AbstractInsnNode last = lastCode(insns, blockStart[b], blockStart[b + 1]);
            Set<Integer> s = new java.util.TreeSet<>();
            if (last != null) {
                for (LabelNode l : jumpTargets(last)) s.add(blockOfLabel.get(l));
            }
            if ((last == null || fallsThrough(last)) && b + 1 < blocks) s.add(b + 1);
            successors[b] = s.stream().mapToInt(Integer::intValue).toArray();
        }
        return new FlowGraph(insns, frames, blockStart, successors);
    }

    /**
     * ASM's analysis of the method. A method that was never written to a class file (the code of a function too large
     * for one) has no max locals and stack yet: the locals are counted, the stack found by trying.
     */
    private static Frame<BasicValue>[] analyze(String owner, MethodNode method) throws AnalyzerException {
        if (method.maxLocals == 0 && method.maxStack == 0) {
            int locals = (Type.getArgumentsAndReturnSizes(method.desc) >> 2)
                    - ((method.access & Opcodes.ACC_STATIC) != 0 ? 1 : 0);
            for (AbstractInsnNode insn : method.instructions) {
                if (insn instanceof VarInsnNode v) {
                    int size = v.getOpcode() == Opcodes.LLOAD
                                    || v.getOpcode() == Opcodes.LSTORE
                                    || v.getOpcode() == Opcodes.DLOAD
                                    || v.getOpcode() == Opcodes.DSTORE
                            ? 2
                            : 1;
                    locals = Math.max(locals, v.var + size);
                } else if (insn instanceof IincInsnNode v) {
                    locals = Math.max(locals, v.var + 1);
                }
            }
            method.maxLocals = locals;
            for (int stack = 32; ; stack *= 2) {
                method.maxStack = stack;
                try {
                    return new Analyzer<>(new BasicInterpreter()).analyze(owner, method);
                } catch (AnalyzerException e) {
                    // ASM says "Insufficient maximum stack size." when the guess was too small
                    if (stack >= 4096
                            || e.getMessage() == null
                            || !e.getMessage().contains("maximum stack size")) throw e;
                }
            }
        }
        return new Analyzer<>(new BasicInterpreter()).analyze(owner, method);
    }

    /** Whether the method uses instructions this graph does not model (subroutines). */
    static boolean unsupported(MethodNode method) {
        for (AbstractInsnNode insn : method.instructions) {
            if (insn.getOpcode() == Opcodes.JSR || insn.getOpcode() == Opcodes.RET) return true;
        }
        return !method.tryCatchBlocks.isEmpty();
    }

    static List<LabelNode> jumpTargets(AbstractInsnNode insn) {
        if (insn instanceof JumpInsnNode j) return List.of(j.label);
        if (insn instanceof TableSwitchInsnNode t) {
            List<LabelNode> l = new ArrayList<>(t.labels);
            l.add(t.dflt);
            return l;
        }
        if (insn instanceof LookupSwitchInsnNode t) {
            List<LabelNode> l = new ArrayList<>(t.labels);
            l.add(t.dflt);
            return l;
        }
        return List.of();
    }

    private static boolean endsBlock(AbstractInsnNode insn) {
        return insn instanceof JumpInsnNode || !fallsThrough(insn);
    }

    static boolean fallsThrough(AbstractInsnNode insn) {
        int op = insn.getOpcode();
        return switch (op) {
            case Opcodes.GOTO,
                    Opcodes.TABLESWITCH,
                    Opcodes.LOOKUPSWITCH,
                    Opcodes.ATHROW,
                    Opcodes.IRETURN,
                    Opcodes.LRETURN,
                    Opcodes.FRETURN,
                    Opcodes.DRETURN,
                    Opcodes.ARETURN,
                    Opcodes.RETURN -> false;
            default -> true;
        };
    }

    static boolean isReturn(AbstractInsnNode insn) {
        int op = insn.getOpcode();
        return op >= Opcodes.IRETURN && op <= Opcodes.RETURN;
    }

    private static AbstractInsnNode lastCode(AbstractInsnNode[] insns, int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            if (insns[i].getOpcode() >= 0) return insns[i];
        }
        return null;
    }

    /** The last instruction of block b that is code (not a label), or null. */
    AbstractInsnNode lastCode(int b) {
        return lastCode(insns, blockStart[b], blockStart[b + 1]);
    }

    /** The analyzer's frame at the start of block b, or null when the block is unreachable. */
    Frame<BasicValue> entryFrame(int b) {
        return frames[blockStart[b]];
    }

    int bytes(int fromBlock, int toBlock) {
        return bytesBefore[blockStart[toBlock]] - bytesBefore[blockStart[fromBlock]];
    }

    private void computeLiveness() {
        BitSet[] use = new BitSet[blocks];
        for (int b = 0; b < blocks; b++) {
            BitSet u = new BitSet();
            BitSet d = new BitSet();
            BitSet t = new BitSet();
            for (int i = blockStart[b]; i < blockStart[b + 1]; i++) {
                AbstractInsnNode insn = insns[i];
                if (insn instanceof VarInsnNode v) {
                    t.set(v.var);
                    if (v.getOpcode() >= Opcodes.ISTORE && v.getOpcode() <= Opcodes.ASTORE) {
                        d.set(v.var);
                    } else if (!d.get(v.var)) {
                        u.set(v.var);
                    }
                } else if (insn instanceof IincInsnNode v) {
                    t.set(v.var);
                    if (!d.get(v.var)) u.set(v.var);
                    d.set(v.var);
                }
            }
            use[b] = u;
            written[b] = d;
            touched[b] = t;
            liveIn[b] = (BitSet) u.clone();
        }
        // Backward data flow to a fixed point; code order makes most edges forward, so sweep from the end.
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int b = blocks - 1; b >= 0; b--) {
                BitSet out = new BitSet();
                for (int s : successors[b]) out.or(liveIn[s]);
                out.andNot(written[b]);
                out.or(use[b]);
                if (!out.equals(liveIn[b])) {
                    liveIn[b] = out;
                    changed = true;
                }
            }
        }
    }
}
