package dev.donjon.wasi.chicory;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.LookupSwitchInsnNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * Where Chicory's classes send the functions it left to its interpreter: a stub method {@code func_N} in place of each
 * function's code, and a switch at the top of the main class's {@code Machine.call} that hands calls from the host
 * (exports) to the interpreter. Once such a function is compiled after all ({@link OversizedFunctions}), both must
 * lead to the compiled code.
 */
final class StubDescriptors {
    private StubDescriptors() {}

    /** The descriptor of each function's stub method, by function index (functions without one are left out). */
    static Map<Integer, String> of(Map<String, byte[]> classes, Set<Integer> functions) {
        Map<Integer, String> result = new HashMap<>();
        if (functions.isEmpty()) return result;
        for (byte[] bytes : classes.values()) {
            new ClassReader(bytes)
                    .accept(
                            new ClassVisitor(Opcodes.ASM9) {
                                @Override
                                public MethodVisitor visitMethod(
                                        int access, String name, String desc, String signature, String[] exceptions) {
                                    if (name.startsWith("func_")) {
                                        int index = FunctionNames.index(name);
                                        if (functions.contains(index)) result.put(index, desc);
                                    }
                                    return null;
                                }
                            },
                            ClassReader.SKIP_CODE);
        }
        return result;
    }

    /**
     * The main class with {@code call(int, long[])} no longer handing {@code compiled} functions to the interpreter:
     * their cases of its first switch go where other functions go (its default), to their compiled methods.
     */
    static byte[] callCompiled(byte[] mainClass, Set<Integer> compiled) {
        ClassNode node = new ClassNode();
        new ClassReader(mainClass).accept(node, 0);
        boolean changed = false;
        for (MethodNode m : node.methods) {
            if (!m.name.equals("call") || !m.desc.equals("(I[J)[J")) continue;
            for (var insn : m.instructions) {
                if (insn instanceof LookupSwitchInsnNode s) {
                    for (int i = 0; i < s.keys.size(); i++) {
                        if (compiled.contains(s.keys.get(i))) {
                            s.labels.set(i, s.dflt);
                            changed = true;
                        }
                    }
                    break;
                }
            }
        }
        // (Without that switch, calls from the host would still reach the interpreter: slower, not wrong.)
        if (!changed) return mainClass;
        // The frames Chicory's writer computed stay valid: only jump targets changed, to a label that has one.
        ClassWriter writer = new ClassWriter(0);
        node.accept(writer);
        return writer.toByteArray();
    }
}
