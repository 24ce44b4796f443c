package dev.donjon.wasi.chicory.split;

import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.VarInsnNode;
import org.objectweb.asm.tree.analysis.BasicValue;

/**
 * How a local of each primitive type travels through the frame (a {@code long[]}) that split-off methods share:
 * as its raw bits in one long.
 */
enum FrameSlot {
    INT(Opcodes.ILOAD, Opcodes.ISTORE),
    LONG(Opcodes.LLOAD, Opcodes.LSTORE),
    FLOAT(Opcodes.FLOAD, Opcodes.FSTORE),
    DOUBLE(Opcodes.DLOAD, Opcodes.DSTORE);

    final int load;
    final int store;

    FrameSlot(int load, int store) {
        this.load = load;
        this.store = store;
    }

    /** Null for anything but a primitive value (references, uninitialized slots). */
    static FrameSlot of(BasicValue v) {
        if (v == BasicValue.INT_VALUE) return INT;
        if (v == BasicValue.LONG_VALUE) return LONG;
        if (v == BasicValue.FLOAT_VALUE) return FLOAT;
        if (v == BasicValue.DOUBLE_VALUE) return DOUBLE;
        return null;
    }

    /** The type a load, store or return opcode works on; null for references. */
    static FrameSlot ofOpcode(int op) {
        return switch (op) {
            case Opcodes.ILOAD, Opcodes.ISTORE -> INT;
            case Opcodes.LLOAD, Opcodes.LSTORE -> LONG;
            case Opcodes.FLOAD, Opcodes.FSTORE -> FLOAT;
            case Opcodes.DLOAD, Opcodes.DSTORE -> DOUBLE;
            default -> null;
        };
    }

    /** Null for void and reference types. */
    static FrameSlot of(Type t) {
        return switch (t.getSort()) {
            case Type.INT, Type.BOOLEAN, Type.BYTE, Type.CHAR, Type.SHORT -> INT;
            case Type.LONG -> LONG;
            case Type.FLOAT -> FLOAT;
            case Type.DOUBLE -> DOUBLE;
            default -> null;
        };
    }

    /** frame[index] = local: {@code aload frame; push index; xload local; (to long); lastore}. */
    void store(InsnList code, int frame, int index, int local) {
        code.add(new VarInsnNode(Opcodes.ALOAD, frame));
        code.add(Splitter.push(index));
        code.add(new VarInsnNode(load, local));
        toLong(code);
        code.add(new InsnNode(Opcodes.LASTORE));
    }

    /** local = frame[index]. */
    void load(InsnList code, int frame, int index, int local) {
        code.add(new VarInsnNode(Opcodes.ALOAD, frame));
        code.add(Splitter.push(index));
        code.add(new InsnNode(Opcodes.LALOAD));
        fromLong(code);
        code.add(new VarInsnNode(store, local));
    }

    /** The value on the stack, as a long. */
    void toLong(InsnList code) {
        switch (this) {
            case INT -> code.add(new InsnNode(Opcodes.I2L));
            case LONG -> {}
            case FLOAT -> {
                code.add(new MethodInsnNode(
                        Opcodes.INVOKESTATIC, "java/lang/Float", "floatToRawIntBits", "(F)I", false));
                code.add(new InsnNode(Opcodes.I2L));
            }
            case DOUBLE ->
                code.add(new MethodInsnNode(
                        Opcodes.INVOKESTATIC, "java/lang/Double", "doubleToRawLongBits", "(D)J", false));
        }
    }

    /** The long on the stack, as this type. */
    void fromLong(InsnList code) {
        switch (this) {
            case INT -> code.add(new InsnNode(Opcodes.L2I));
            case LONG -> {}
            case FLOAT -> {
                code.add(new InsnNode(Opcodes.L2I));
                code.add(new MethodInsnNode(Opcodes.INVOKESTATIC, "java/lang/Float", "intBitsToFloat", "(I)F", false));
            }
            case DOUBLE ->
                code.add(new MethodInsnNode(
                        Opcodes.INVOKESTATIC, "java/lang/Double", "longBitsToDouble", "(J)D", false));
        }
    }

    int returnOpcode() {
        return load - Opcodes.ILOAD + Opcodes.IRETURN;
    }
}
