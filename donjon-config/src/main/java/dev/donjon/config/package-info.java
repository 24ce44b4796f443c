/**
 * {@code Enarx.toml}, the workload configuration, with the semantics of Enarx 0.7: {@link
 * dev.donjon.config.EnarxConfig#parse} (strict: unknown keys, bad kinds or protocols and ':' in names are
 * one-line {@link dev.donjon.config.ConfigException}s) and the {@link dev.donjon.config.ConfigTemplate}.
 */
package dev.donjon.config;
