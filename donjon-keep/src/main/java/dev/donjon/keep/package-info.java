/**
 * The Keep: {@link dev.donjon.keep.Keep#open} checks a workload's module, makes its identity through an
 * {@link dev.donjon.keep.IdentityProvider} ({@link dev.donjon.keep.AttestedIdentity}: self-signed without a
 * Steward, enrolled with the platform's evidence with one), opens the sockets its Enarx.toml declares and runs it
 * under {@link dev.donjon.wasi.WasiLimits}. The Keep process a host agent starts is {@code dev.donjon.host.keep}.
 */
package dev.donjon.keep;
