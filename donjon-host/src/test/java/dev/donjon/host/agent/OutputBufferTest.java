package dev.donjon.host.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.donjon.host.protocol.WorkloadPackage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 §3: the output the agent holds for clients is bounded per Keep and in total; ended Keeps' output no longer
 * sits in the agent's heap uncounted (6 Keeps x 60 MiB once held 394 MB for 10 minutes).
 */
class OutputBufferTest extends OneAgent {
    private static final long MIB = 1 << 20;
    /** Writes {@code bytes} of 'x' to stdout in 64 KiB writes, then exits 0. */
    private static WorkloadPackage spew(long bytes) throws Exception {
        return spew(bytes, 0);
    }

    /** The same, then sleeps {@code holdMs} before it exits. */
    private static WorkloadPackage spew(long bytes, long holdMs) throws Exception {
        byte[] toml = Workloads.withStdio(
                "env = { SPEW_BYTES = \"" + bytes + "\", SPEW_HOLD_MS = \"" + holdMs + "\" }\n", "");
        return new WorkloadPackage(
                Workloads.file("donjon-keep/src/test/resources/wasm/spew.wasm"), Optional.of(toml), Map.of());
    }

    @Test
    void endedKeepsOutputIsBoundedInTotalOldestDiscardedFirst() throws Exception {
        start(nil().withOutputBuffer(2 * MIB, 3 * MIB));
        Tenant owner = Tenant.anonymous(agent);
        List<Tenant.Created> keeps = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Tenant.Created k = owner.create(32);
            assertEquals(202, owner.feed(k, spew(900 << 10)));
            owner.awaitState(k.id(), "ended");
            keeps.add(k);
            assertTrue(agent.bufferedOutput() <= 3 * MIB, "held " + agent.bufferedOutput());
        }
        // 5 x 900 KiB do not fit in 3 MiB: the oldest ended Keeps' output made room, the newest is whole
        JsonNode oldest = owner.status(keeps.getFirst().id());
        assertTrue(
                oldest.get("ended")
                        .asText()
                        .contains("output buffer (3 MiB for all Keeps) needed the room; its output was discarded"),
                oldest.toString());
        assertEquals(0, oldest.get("outputBytes").asLong());
        Tenant.Output first = owner.output(keeps.getFirst());
        assertEquals(0, first.stdout().length);
        assertFalse(first.exited(), "a discarded output has no Exit frame: the client sees it is incomplete");
        assertTrue(
                first.notice().orElseThrow().contains("discarded"),
                first.notice().toString());

        Tenant.Output last = owner.output(keeps.getLast());
        assertEquals(900 << 10, last.stdout().length);
        assertTrue(last.exited());
        // read to its end: released at once
        assertEquals(0, owner.status(keeps.getLast().id()).get("outputBytes").asLong());
        assertTrue(owner.status(keeps.getLast().id())
                .get("ended")
                .asText()
                .contains("delivered to a reader, then released"));
    }

    @Test
    void aKeepPastItsOwnOutputBufferIsStopped() throws Exception {
        start(nil().withOutputBuffer(1 * MIB, 8 * MIB));
        Tenant owner = Tenant.anonymous(agent);
        Tenant.Created k = owner.create(32);
        assertEquals(202, owner.feed(k, spew(3 * MIB)));
        JsonNode ended = owner.awaitState(k.id(), "ended");
        assertTrue(
                ended.get("ended").asText().contains("its output passed the agent's 1 MiB buffer per Keep"),
                ended.toString());
        assertTrue(ended.get("outputBytes").asLong() <= MIB, ended.toString());
        Tenant.Output out = owner.output(k);
        assertTrue(
                out.stdout().length > 0 && out.stdout().length <= MIB,
                "what fitted is still readable: " + out.stdout().length);
        assertFalse(out.exited());
        assertEquals(0, agent.bufferedOutput(), "read to its end: released");
    }

    @Test
    void runningKeepsThatFillTheTotalAreStoppedAndNothingIsHeldPastIt() throws Exception {
        start(nil().withOutputBuffer(2 * MIB, 2 * MIB));
        Tenant owner = Tenant.anonymous(agent);
        Tenant.Created a = owner.create(32);
        Tenant.Created b = owner.create(32);
        // a holds 1.5 MiB and keeps running (it cannot be discarded); b's 1.5 MiB cannot all fit beside it
        assertEquals(202, owner.feed(a, spew(1536 << 10, 60_000)));
        for (int i = 0; i < 600 && owner.status(a.id()).get("outputBytes").asLong() < 1536 << 10; i++) Thread.sleep(50);
        assertEquals(202, owner.feed(b, spew(1536 << 10)));
        JsonNode endB = owner.awaitState(b.id(), "ended");
        assertTrue(
                endB.get("ended").asText().contains("the agent's output buffer (2 MiB for all Keeps) is full"),
                endB.toString());
        assertEquals("running", owner.status(a.id()).get("state").asText());
        assertTrue(agent.bufferedOutput() <= 2 * MIB, "held " + agent.bufferedOutput());
        assertEquals(200, owner.send("DELETE", "/v1/keeps/" + a.id(), null).statusCode());
    }
}
