package dev.donjon.host.agent;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;

/** Keeps a copy of every byte the agent moved, per channel. */
final class RecordingTap implements Tap {
    private final Map<Channel, ByteArrayOutputStream> seen = new EnumMap<>(Channel.class);

    @Override
    public synchronized void record(Channel channel, byte[] bytes, int offset, int length) {
        seen.computeIfAbsent(channel, c -> new ByteArrayOutputStream()).write(bytes, offset, length);
    }

    synchronized byte[] bytes(Channel channel) {
        ByteArrayOutputStream b = seen.get(channel);
        return b == null ? new byte[0] : b.toByteArray();
    }

    /** All channels, as one Latin-1 string (one char per byte) for searching. */
    synchronized String all() {
        StringBuilder s = new StringBuilder();
        for (ByteArrayOutputStream b : seen.values())
            s.append(b.toString(StandardCharsets.ISO_8859_1)).append('\u0100');
        return s.toString();
    }
}
