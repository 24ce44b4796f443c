/* wasi-libc has no setjmp.h (wasm has no setjmp/longjmp without the exception-handling proposal). Lua's ldo.c
 * includes it unconditionally; lua-wasi.h replaces its only use, so an empty header is all it needs. */
