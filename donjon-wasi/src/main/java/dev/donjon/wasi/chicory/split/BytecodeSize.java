package dev.donjon.wasi.chicory.split;

import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.IincInsnNode;
import org.objectweb.asm.tree.IntInsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.LookupSwitchInsnNode;
import org.objectweb.asm.tree.TableSwitchInsnNode;
import org.objectweb.asm.tree.VarInsnNode;

/** The size an instruction takes in a class file's code, near enough to decide where to split a method. */
final class BytecodeSize {
    private BytecodeSize() {}

    static int of(AbstractInsnNode insn) {
        return switch (insn) {
            case VarInsnNode v -> v.var < 4 ? 1 : v.var < 256 ? 2 : 4;
            case IincInsnNode v -> v.var < 256 && v.incr == (byte) v.incr ? 3 : 6;
            case IntInsnNode i -> i.getOpcode() == Opcodes.SIPUSH ? 3 : 2;
            case LdcInsnNode l -> l.cst instanceof Long || l.cst instanceof Double ? 3 : 2;
            case TableSwitchInsnNode t -> 16 + 4 * t.labels.size();
            case LookupSwitchInsnNode t -> 12 + 8 * t.labels.size();
            default ->
                switch (insn.getType()) {
                    case AbstractInsnNode.LABEL, AbstractInsnNode.FRAME, AbstractInsnNode.LINE -> 0;
                    case AbstractInsnNode.INSN -> 1;
                    case AbstractInsnNode.METHOD_INSN -> insn.getOpcode() == Opcodes.INVOKEINTERFACE ? 5 : 3;
                    case AbstractInsnNode.INVOKE_DYNAMIC_INSN -> 5;
                    case AbstractInsnNode.MULTIANEWARRAY_INSN -> 4;
                    default -> 3; // jumps, fields, types
                };
        };
    }
}
