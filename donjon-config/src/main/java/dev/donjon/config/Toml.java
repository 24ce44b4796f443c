package dev.donjon.config;

import com.fasterxml.jackson.dataformat.toml.TomlMapper;

/**
 * The TOML parser that Enarx.toml and Donjon.toml are read with, built on first use: building a Jackson mapper loads
 * about 430 classes, which a run without either file should not pay for (it was built whenever {@code donjon run}
 * touched {@link DonjonConfig}; bench/README.md, Start-up).
 */
final class Toml {
    static final TomlMapper MAPPER = new TomlMapper();

    private Toml() {}
}
