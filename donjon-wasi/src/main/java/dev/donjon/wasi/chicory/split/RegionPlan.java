package dev.donjon.wasi.chicory.split;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.PriorityQueue;
import java.util.TreeSet;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.LookupSwitchInsnNode;
import org.objectweb.asm.tree.TableSwitchInsnNode;
import org.objectweb.asm.tree.analysis.BasicValue;
import org.objectweb.asm.tree.analysis.Frame;

/**
 * Chooses which regions of a method to move into methods of their own so that every resulting method is at most
 * {@code limit} bytes of bytecode (where the method's structure allows).
 *
 * <p>The candidate regions are, for every block b where the operand stack is empty, the longest run of blocks from b
 * that control enters only at b. Those runs nest (two that overlapped without nesting would make a longer one), so
 * they form a tree whose root is the whole method; in code from wasm they are the bodies of blocks, loops and
 * switch arms. Bottom-up, a region larger than the limit first moves out its largest movable sub-regions (large
 * ones first, so that few calls are added and small, often hot, code stays where it is). When what is left is still
 * too large, typically an interpreter's dispatch loop with a hundred small switch arms (each call costs about as much
 * code as a small arm), runs of neighbouring sub-regions move out together as groups: methods with several entries,
 * the caller passing which one.
 */
final class RegionPlan {
    /**
     * A switch with this many targets dispatches: it stays in its method, its targets may move out. A block with
     * this many predecessors is a join, and stays too.
     */
    private static final int DISPATCH_TARGETS = 8;

    final FlowGraph graph;
    final Region root;
    private final int limit;
    private final int minimum;
    private final int memorySlot;
    private final int instanceSlot;

    private RegionPlan(FlowGraph graph, int limit, int minimum, int memorySlot, int instanceSlot) {
        this.graph = graph;
        this.limit = limit;
        this.minimum = minimum;
        this.memorySlot = memorySlot;
        this.instanceSlot = instanceSlot;
        this.root = buildTree();
    }

    /**
     * @param memorySlot   local slot of the Memory parameter (passed to moved-out code as a parameter)
     * @param instanceSlot local slot of the Instance parameter
     */
    static RegionPlan of(FlowGraph graph, int limit, int minimum, int memorySlot, int instanceSlot) {
        RegionPlan plan = new RegionPlan(graph, limit, minimum, memorySlot, instanceSlot);
        plan.choose(plan.root);
        return plan;
    }

    /** The regions to move out, outermost first. */
    List<Region> outlined() {
        List<Region> result = new ArrayList<>();
        Deque<Region> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            Region r = todo.pop();
            if (r.outlined) result.add(r);
            for (int i = r.children.size() - 1; i >= 0; i--) todo.push(r.children.get(i));
        }
        return result;
    }

    private Region buildTree() {
        int n = graph.blocks;
        Region root = new Region(0, n, null, false);
        Deque<Region> open = new ArrayDeque<>();
        open.push(root);
        for (int b = 1; b < n; b++) {
            Frame<BasicValue> f = graph.entryFrame(b);
            if (f == null || f.getStackSize() != 0) continue;
            int end = longestEnd(b);
            while (open.peek().end <= b) open.pop();
            Region parent = open.peek();
            if (end > parent.end) continue; // cannot happen for single-entry runs; keep the tree a tree regardless
            Region r = new Region(b, end, parent, false);
            parent.children.add(r);
            open.push(r);
        }
        return root;
    }

    /** The largest e such that control enters blocks [b, e) only at b. */
    private int longestEnd(int b) {
        int best = b + 1;
        int highestInside = -1; // highest block with an edge into (b, k)
        for (int k = b + 1; ; k++) {
            if (highestInside < k) best = k;
            if (k == graph.blocks || graph.lowestPredecessor[k] < b) return best;
            highestInside = Math.max(highestInside, graph.highestPredecessor[k]);
        }
    }

    private void choose(Region region) {
        int own = graph.bytes(region.first, region.end);
        int children = 0;
        for (Region c : region.children) {
            choose(c);
            own -= graph.bytes(c.first, c.end);
            children += c.residualBytes;
        }
        region.residualBytes = own + children;
        // Large parts first, each a method; then runs of the rest as groups (a call stub costs about as much code as
        // a small part, so moving many small parts one by one would barely shrink the caller); then what is left.
        if (region.residualBytes > limit) shrink(region, Math.max(minimum, limit / 2));
        if (region.residualBytes > limit) group(region);
        if (region.residualBytes > limit) shrink(region, minimum);
    }

    /**
     * Moves out the largest movable regions of at least {@code smallest} bytes inside {@code region} until it fits
     * the limit or none is left.
     */
    private void shrink(Region region, int smallest) {
        PriorityQueue<Region> candidates = new PriorityQueue<>(
                Comparator.comparingInt((Region r) -> r.residualBytes).reversed());
        candidates.addAll(region.children);
        while (region.residualBytes > limit && !candidates.isEmpty()) {
            Region c = candidates.poll();
            if (c.outlined) continue;
            if (c.residualBytes >= smallest && outlinable(c)) {
                c.outlined = true;
                int saved = c.residualBytes - c.callBytes();
                for (Region a = c.parent; a != region.parent; a = a.parent) a.residualBytes -= saved;
            } else {
                candidates.addAll(c.children);
            }
        }
    }

    /**
     * Moves out runs of neighbouring parts of {@code region} (its sub-regions and its own blocks between them) as
     * groups, left to right, until it fits. Its first block (its entry), blocks ending in a dispatching switch and
     * sub-regions already moved out stay; they end a run.
     */
    private void group(Region region) {
        List<Region> items = items(region);
        int i = 0;
        while (region.residualBytes > limit && i < items.size()) {
            Region start = items.get(i);
            if (!groupable(start)) {
                i++;
                continue;
            }
            int j = i;
            int size = 0;
            int lastGood = -1;
            Region lastGroup = null;
            while (j < items.size() && groupable(items.get(j)) && size + items.get(j).residualBytes <= limit) {
                size += items.get(j).residualBytes;
                j++;
                if (size >= minimum && (j == items.size() || startsEmpty(items.get(j)))) {
                    Region g = new Region(start.first, items.get(j - 1).end, region, true);
                    if (outlinable(g)) {
                        lastGood = j;
                        lastGroup = g;
                        lastGroup.residualBytes = size;
                    }
                }
            }
            if (lastGroup == null) {
                i = Math.max(j, i + 1);
                continue;
            }
            adopt(region, lastGroup, items.subList(i, lastGood));
            i = lastGood;
        }
    }

    /** The region's parts in code order: its sub-regions, and each of its own blocks as a one-block part. */
    private List<Region> items(Region region) {
        List<Region> items = new ArrayList<>();
        int next = 0;
        for (int b = region.first + 1; b < region.end; ) {
            if (next < region.children.size() && region.children.get(next).first == b) {
                Region c = region.children.get(next++);
                items.add(c);
                b = c.end;
            } else {
                Region own = new Region(b, b + 1, null, false); // stands for one of region's own blocks
                own.residualBytes = graph.bytes(b, b + 1);
                items.add(own);
                b++;
            }
        }
        return items;
    }

    private boolean groupable(Region item) {
        if (item.outlined || item.residualBytes > limit) return false;
        // A join that many paths lead to (the "fetch the next instruction" tail of an interpreter loop) stays: moved
        // into a group, every path through it would cost a second call.
        if (graph.predecessorCount[item.first] >= DISPATCH_TARGETS) return false;
        if (item.parent != null) return true; // a sub-region
        AbstractInsnNode last = graph.lastCode(item.first);
        int targets = last instanceof TableSwitchInsnNode t
                ? t.labels.size()
                : last instanceof LookupSwitchInsnNode t ? t.labels.size() : 0;
        return targets < DISPATCH_TARGETS;
    }

    private boolean startsEmpty(Region item) {
        Frame<BasicValue> f = graph.entryFrame(item.first);
        return f == null || f.getStackSize() == 0;
    }

    /** Makes {@code group} the parent of the sub-regions among {@code parts}, in {@code region}'s place. */
    private void adopt(Region region, Region group, List<Region> parts) {
        group.outlined = true;
        int index = -1;
        for (Region p : parts) {
            if (p.parent == null) continue; // one of region's own blocks: now the group's
            int at = region.children.indexOf(p);
            if (index < 0) index = at;
            region.children.remove(at);
            p.parent = group;
            group.children.add(p);
        }
        if (index < 0) {
            index = 0;
            while (index < region.children.size() && region.children.get(index).first < group.first) index++;
        }
        region.children.add(index, group);
        region.residualBytes -= group.residualBytes - group.callBytes();
    }

    /** Whether the region can become a method: its boundary carries only primitive locals and an empty stack. */
    boolean outlinable(Region r) {
        if (r.outlinable != null) return r.outlinable;
        r.outlinable = computeOutlinable(r);
        return r.outlinable;
    }

    private boolean computeOutlinable(Region r) {
        BitSet touched = new BitSet();
        BitSet written = new BitSet();
        TreeSet<Integer> exits = new TreeSet<>();
        List<Integer> entries = new ArrayList<>();
        entries.add(r.first);
        boolean returns = false;
        for (int b = r.first; b < r.end; b++) {
            touched.or(graph.touched[b]);
            written.or(graph.written[b]);
            for (int s : graph.successors[b]) {
                if (!r.contains(s)) exits.add(s);
            }
            if (b > r.first && (graph.lowestPredecessor[b] < r.first || graph.highestPredecessor[b] >= r.end))
                entries.add(b);
            var last = graph.lastCode(b);
            if (last != null && FlowGraph.isReturn(last) && graph.frames[graph.blockStart[b]] != null) returns = true;
        }
        if (exits.isEmpty() && !returns) return false; // never leaves (or only by a trap): nothing to gain
        if (written.get(memorySlot) || written.get(instanceSlot)) return false;
        int[] exitBlocks = exits.stream().mapToInt(Integer::intValue).toArray();
        BitSet[] out = new BitSet[exitBlocks.length];
        for (int x = 0; x < exitBlocks.length; x++) {
            Frame<BasicValue> f = graph.entryFrame(exitBlocks[x]);
            if (f == null || f.getStackSize() != 0) return false;
            out[x] = (BitSet) graph.liveIn[exitBlocks[x]].clone();
            out[x].and(written);
            out[x].clear(memorySlot);
            out[x].clear(instanceSlot);
            if (!primitive(f, out[x])) return false;
        }
        BitSet in = new BitSet();
        BitSet[] inAt = new BitSet[entries.size()];
        for (int e = 0; e < entries.size(); e++) {
            Frame<BasicValue> f = graph.entryFrame(entries.get(e));
            if (f == null || f.getStackSize() != 0) return false;
            // what the code reachable from this entry touches, and what it passes back at the exits it reaches
            BitSet reach = new BitSet();
            BitSet need = new BitSet();
            reachable(r, entries.get(e), reach);
            for (int b = reach.nextSetBit(0); b >= 0; b = reach.nextSetBit(b + 1)) {
                need.or(graph.touched[b]);
                for (int s : graph.successors[b]) {
                    if (!r.contains(s)) need.or(out[java.util.Arrays.binarySearch(exitBlocks, s)]);
                }
            }
            inAt[e] = (BitSet) graph.liveIn[entries.get(e)].clone();
            inAt[e].and(need);
            inAt[e].clear(memorySlot);
            inAt[e].clear(instanceSlot);
            in.or(inAt[e]);
        }
        // The caller stores the union whatever the entry, so every entry must agree on each local's type.
        for (int e = 0; e < entries.size(); e++) {
            Frame<BasicValue> f = graph.entryFrame(entries.get(e));
            Frame<BasicValue> f0 = graph.entryFrame(r.first);
            for (int s = in.nextSetBit(0); s >= 0; s = in.nextSetBit(s + 1)) {
                if (s >= f.getLocals()
                        || FrameSlot.of(f.getLocal(s)) == null
                        || !f.getLocal(s).equals(f0.getLocal(s))) return false;
            }
        }
        r.entries = entries.stream().mapToInt(Integer::intValue).toArray();
        r.in = in;
        r.inAt = inAt;
        r.exits = exitBlocks;
        r.out = out;
        r.returns = returns;
        return true;
    }

    /** The blocks of r reachable from block b without leaving r. */
    private void reachable(Region r, int b, BitSet seen) {
        Deque<Integer> todo = new ArrayDeque<>();
        todo.push(b);
        seen.set(b);
        while (!todo.isEmpty()) {
            int x = todo.pop();
            for (int s : graph.successors[x]) {
                if (r.contains(s) && !seen.get(s)) {
                    seen.set(s);
                    todo.push(s);
                }
            }
        }
    }

    private static boolean primitive(Frame<BasicValue> frame, BitSet slots) {
        for (int s = slots.nextSetBit(0); s >= 0; s = slots.nextSetBit(s + 1)) {
            if (s >= frame.getLocals() || FrameSlot.of(frame.getLocal(s)) == null) return false;
        }
        return true;
    }
}
