/* calls: many small calls that each take a C stack frame in linear memory (an address-taken local), as most
 * functions of real C programs do: each call reads and writes the shadow-stack pointer, a wasm global.
 * Checksum: the sum of the recursive results. */
#include "harness.h"

static void setup(long size) { (void)size; }

/* Takes the address of the caller's local: the caller needs a frame in linear memory. */
__attribute__((noinline)) static void mix(uint32_t *local) { local[1] ^= local[0] >> 3; }

__attribute__((noinline)) static uint32_t node(uint32_t *seed, int depth) {
    uint32_t local[2];
    local[0] = *seed;
    local[1] = (uint32_t)depth;
    mix(local);
    *seed = *seed * 1664525u + 1013904223u;
    if (depth == 0)
        return local[1] >> 16;
    local[1] += node(seed, depth - 1);
    return local[1] + node(seed, depth - 1) + (local[0] & 7);
}

static uint64_t run(long n) {
    uint64_t sum = 0;
    uint32_t seed = 12345;
    for (long i = 0; i < n; i++)
        sum += node(&seed, 16);
    return sum;
}

int main(int argc, char **argv) { return harness_main(argc, argv, "calls", 120); }
