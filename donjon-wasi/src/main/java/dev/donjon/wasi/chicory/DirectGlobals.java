package dev.donjon.wasi.chicory;

import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.runtime.Instance;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Global reads and writes of compiled guest code, in place of Chicory's {@code readGlobal}/{@code writeGlobal}, for
 * modules that import no globals ({@link GlobalsRewrite}): public because the guest's generated classes, in their own
 * class loader, call them.
 *
 * <p>Why: Chicory reaches a global through {@code Instance.global(index)}, which first asks the instance's imports
 * how many globals were imported (three loads and a compare) before it indexes the instance's own array; C's shadow
 * stack pointer is a global that most functions read at entry and write twice, so that walk ran several times per
 * guest call. With no imported globals the index is the array's index, and a read is the array, the element and its
 * value.
 */
public final class DirectGlobals {
    static final String OWNER = "dev/donjon/wasi/chicory/DirectGlobals";
    /** {@code Instance.globals}: the instance's own globals (after any imported ones, which these modules lack). */
    private static final VarHandle GLOBALS = globals();

    private DirectGlobals() {}

    private static VarHandle globals() {
        try {
            return MethodHandles.privateLookupIn(Instance.class, MethodHandles.lookup())
                    .findVarHandle(Instance.class, "globals", GlobalInstance[].class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // another Chicory: GlobalsRewrite leaves Chicory's calls in place
        }
    }

    /** Whether this Chicory has the field these helpers read. */
    static boolean available() {
        return GLOBALS != null;
    }

    public static long readGlobal(int index, Instance instance) {
        return ((GlobalInstance[]) GLOBALS.get(instance))[index].getValue();
    }

    public static void writeGlobal(long value, int index, Instance instance) {
        ((GlobalInstance[]) GLOBALS.get(instance))[index].setValue(value);
    }
}
