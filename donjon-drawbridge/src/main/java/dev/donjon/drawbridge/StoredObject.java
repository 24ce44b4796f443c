package dev.donjon.drawbridge;

import java.nio.file.Path;

/** An object in the store: what the registry recorded about it and where its content-addressed bytes live. */
public record StoredObject(Meta meta, Path blob) {}
