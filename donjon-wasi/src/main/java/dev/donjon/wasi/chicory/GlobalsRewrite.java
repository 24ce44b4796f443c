package dev.donjon.wasi.chicory;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import java.util.LinkedHashMap;
import java.util.Map;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Points compiled guest code's global reads and writes at {@link DirectGlobals}, for a module that imports no
 * globals (with imported ones, a global's index is not its index in the instance's own array).
 *
 * <p>Upstream, Chicory's compiler would emit the array access itself ({@code Emitters.GLOBAL_GET}/{@code GLOBAL_SET})
 * when the module imports no globals.
 */
final class GlobalsRewrite {
    /** Part of the compiled-module cache key. */
    static final String VERSION = "globals-1";

    private GlobalsRewrite() {}

    /** Whether {@link #transform} changes anything for {@code module}. */
    static boolean applies(WasmModule module) {
        return DirectGlobals.available() && module.importSection().count(ExternalType.GLOBAL) == 0;
    }

    static Map<String, byte[]> transform(Map<String, byte[]> classes) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        classes.forEach((name, bytes) -> out.put(name, transformClass(bytes)));
        return out;
    }

    private static byte[] transformClass(byte[] bytes) {
        ClassReader reader = new ClassReader(bytes);
        ClassWriter writer = new ClassWriter(reader, 0);
        boolean[] changed = {false};
        reader.accept(
                new ClassVisitor(Opcodes.ASM9, writer) {
                    @Override
                    public MethodVisitor visitMethod(
                            int access, String name, String desc, String signature, String[] exceptions) {
                        return new MethodVisitor(
                                Opcodes.ASM9, super.visitMethod(access, name, desc, signature, exceptions)) {
                            @Override
                            public void visitMethodInsn(
                                    int opcode, String owner, String method, String descriptor, boolean itf) {
                                if (opcode == Opcodes.INVOKESTATIC
                                        && owner.endsWith("Shaded")
                                        && isGlobalAccess(method, descriptor)) {
                                    changed[0] = true;
                                    super.visitMethodInsn(opcode, DirectGlobals.OWNER, method, descriptor, false);
                                } else {
                                    super.visitMethodInsn(opcode, owner, method, descriptor, itf);
                                }
                            }
                        };
                    }
                },
                0);
        return changed[0] ? writer.toByteArray() : bytes;
    }

    private static boolean isGlobalAccess(String method, String descriptor) {
        return (method.equals("readGlobal") && descriptor.equals("(ILcom/dylibso/chicory/runtime/Instance;)J"))
                || (method.equals("writeGlobal") && descriptor.equals("(JILcom/dylibso/chicory/runtime/Instance;)V"));
    }
}
