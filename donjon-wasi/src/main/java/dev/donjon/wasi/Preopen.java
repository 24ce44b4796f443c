package dev.donjon.wasi;

import java.nio.file.Path;
import java.util.Objects;

/** A host directory the guest sees under {@code guestPath}; the guest can never reach outside it. */
public record Preopen(Path hostDir, String guestPath) {
    public Preopen {
        Objects.requireNonNull(hostDir, "hostDir");
        Objects.requireNonNull(guestPath, "guestPath");
    }
}
