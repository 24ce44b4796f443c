/**
 * The Keep: {@link dev.donjon.keep.Keep#open} checks a workload's module, makes its identity through an
 * {@link dev.donjon.keep.IdentityProvider} (today the {@link dev.donjon.keep.SelfSignedIdentity}; the
 * attested identity and Steward enrollment plug in there), opens the sockets its Enarx.toml declares and
 * runs it under {@link dev.donjon.wasi.WasiLimits}.
 */
package dev.donjon.keep;
