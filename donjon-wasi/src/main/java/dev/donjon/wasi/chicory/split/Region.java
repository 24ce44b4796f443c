package dev.donjon.wasi.chicory.split;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * A run of basic blocks [first, end) that can become a method of its own. Regions nest (the whole method is the
 * root); {@link RegionPlan} decides which to move out. Most are entered only at their first block (a wasm block,
 * loop or switch arm); a group of neighbouring regions ({@link #group}) can be entered at several, its entries.
 */
final class Region {
    final int first;
    final int end;
    final List<Region> children = new ArrayList<>();
    /** Bytecode of this region once the regions moved out of it are calls. */
    int residualBytes;

    boolean outlined;
    /** Whether it can be moved out; null until asked ({@link RegionPlan#outlinable}). */
    Boolean outlinable;

    /** Made of several neighbouring regions, for the caller's size (see {@link RegionPlan}). */
    final boolean group;

    // Filled in for outlinable regions:
    /** Blocks control can enter it at (those with an edge from outside); the first is {@link #first}. */
    int[] entries;
    /** Locals (by slot) the caller stores into the frame before a call, whatever the entry. */
    BitSet in;
    /** For each entry, the locals the region loads from the frame (a subset of {@link #in}, by reachability). */
    BitSet[] inAt;
    /** Blocks outside the region that control leaves it for, in exit-code order. */
    int[] exits;
    /** For each exit, the locals the region passes back in the frame. */
    BitSet[] out;
    /** Whether the region contains a return of the whole function (exit code -1). */
    boolean returns;
    /** Name of the method it becomes. */
    String methodName;

    Region parent;

    Region(int first, int end, Region parent, boolean group) {
        this.first = first;
        this.end = end;
        this.parent = parent;
        this.group = group;
    }

    boolean contains(int block) {
        return block >= first && block < end;
    }

    /** Approximate size of the call that replaces this region in its parent. */
    int callBytes() {
        int moved = in.cardinality();
        for (BitSet o : out) moved += o.cardinality();
        return 16 + 7 * moved + 8 * (exits.length + (returns ? 1 : 0)) + 5 * (entries.length - 1);
    }

    @Override
    public String toString() {
        return "[" + first + "," + end + ")";
    }
}
