package dev.donjon.collateral;

import java.util.List;

/**
 * An offline bundle: every entry of a cache in one JSON file ({@code donjon collateral export}), for a machine that
 * cannot reach Intel's PCS or AMD's KDS ({@code donjon collateral import}). The bundle is not trusted: each entry is
 * verified on import and again before use. Format: {@link EntryJson}.
 */
public final class OfflineBundle {

    private OfflineBundle() {}

    public static byte[] encode(List<CollateralEntry> entries) {
        return EntryJson.bundle(entries);
    }

    /** @throws IllegalArgumentException naming what is wrong with the file */
    public static List<CollateralEntry> decode(byte[] json) {
        return EntryJson.bundle(json);
    }
}
