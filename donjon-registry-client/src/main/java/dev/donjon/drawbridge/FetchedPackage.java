package dev.donjon.drawbridge;

import java.util.Optional;
import java.util.SortedMap;

/**
 * A package whose every byte was checked against the digests of the tree it came from.
 *
 * @param source where it came from (for messages)
 * @param files  file name to verified bytes; always holds {@code main.wasm}
 * @param signed whether the tag's signature was verified against the key the caller required
 */
public record FetchedPackage(String source, SortedMap<String, byte[]> files, boolean signed) {

    public byte[] wasm() {
        return files.get(PackageTree.WASM);
    }

    public Optional<byte[]> config() {
        return Optional.ofNullable(files.get(PackageTree.CONFIG));
    }
}
