package dev.donjon.wasi.host;

/** The WebAssembly value types WASI preview 1 signatures use. */
public enum ValueType {
    I32,
    I64
}
