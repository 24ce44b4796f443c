/*
 * Included before every Lua source file (clang -include), native and wasm alike.
 *
 * Lua raises errors with longjmp, which wasi-libc lacks. Here a raised error prints the error value and
 * exits the process, and a protected call is an ordinary call: enough for a workload that raises no
 * errors (as lua-workload.lua), not for Lua programs in general.
 */
#ifndef LUA_WASI_H
#define LUA_WASI_H
#include <stdio.h>
#include <stdlib.h>
#define LUAI_THROW(L, c) (fprintf(stderr, "lua: error raised (status %d), which this build cannot catch\n", \
                                  (c)->status), exit(1))
#define LUAI_TRY(L, c, a) { a }
#define luai_jmpbuf int
/* A fixed string-hash seed (Lua mixes in addresses and the time), so both builds behave the same. */
#define luai_makeseed(L) 0x2545F491u
/* table.sort picks pivots of large arrays with clock() and time(); a constant keeps runs reproducible. */
#define l_randomizePivot() 0x9E3779B9u
#endif
