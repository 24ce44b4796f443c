/*
 * lua: the Lua 5.4 interpreter (Debian's lua5.4 source) running bench/programs/lua-workload.lua.
 *
 *   lua [ITERATIONS [TENTHS]]      (default 6 10)
 *
 * Each iteration makes a fresh Lua state with the base, table, string, math and utf8 libraries, runs the
 * workload script (embedded at build time: lua-workload.h) with TENTHS as its argument (10: the full
 * workload, 1: a tenth of it), and folds the string it returns into the checksum.
 *
 * wasi-libc has no setjmp/longjmp, which Lua uses to raise errors: lua-wasi.h makes a raised error print
 * its message and exit instead (the workload raises none), and fixes the string-hash seed so that native
 * and wasm builds behave alike. Both builds use it.
 */
#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"
#include "lua-workload.h"
#include "../compute/harness.h"

static uint64_t fold(uint64_t h, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return h;
}

static void setup(long tenths) { (void)tenths; }

static uint64_t run(long tenths) {
    lua_State *L = luaL_newstate();
    if (L == NULL) { fprintf(stderr, "lua: cannot create a state\n"); exit(1); }
    static const luaL_Reg libs[] = {{LUA_GNAME, luaopen_base}, {LUA_TABLIBNAME, luaopen_table},
                                    {LUA_STRLIBNAME, luaopen_string}, {LUA_MATHLIBNAME, luaopen_math},
                                    {LUA_UTF8LIBNAME, luaopen_utf8}, {NULL, NULL}};
    for (const luaL_Reg *l = libs; l->func; l++) {
        luaL_requiref(L, l->name, l->func, 1);
        lua_pop(L, 1);
    }
    if (luaL_loadbuffer(L, (const char *)lua_workload, sizeof lua_workload, "=lua-workload.lua") != LUA_OK) {
        fprintf(stderr, "lua: %s\n", lua_tostring(L, -1));
        exit(1);
    }
    lua_pushinteger(L, tenths);
    lua_call(L, 1, 1);
    size_t n;
    const char *r = lua_tolstring(L, -1, &n);
    if (r == NULL) { fprintf(stderr, "lua: the workload returned no string\n"); exit(1); }
    uint64_t h = fold(0xcbf29ce484222325ull, r, n);
    lua_close(L);
    return h;
}

int main(int argc, char **argv) { return harness_main(argc, argv, "lua", 10); }
