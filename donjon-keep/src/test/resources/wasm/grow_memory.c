/* Grows its linear memory to GROW_MIB MiB (default 64) in 16 steps, writing every page, then prints the total and
 * exits 0; exits 1 when the Keep's memory limit refuses a step. Each memory.grow copies the whole memory (old and new
 * side by side for a moment), so the last step is the Keep's worst case. For measuring a Keep process's peak memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    const char *env = getenv("GROW_MIB");
    long want = (env ? atol(env) : 64) << 20;
    long step = want / 16 > (1 << 20) ? want / 16 : (1 << 20);
    long got = 0;
    unsigned long sum = 0;
    while (got < want) {
        long n = want - got < step ? want - got : step;
        unsigned char *volatile p = malloc((size_t) n);
        if (!p) { printf("grew %ld MiB, then the limit refused more\n", got >> 20); return 1; }
        memset(p, (int) (got >> 20) + 1, (size_t) n);
        for (long i = 0; i < n; i += 4096) sum += p[i]; /* read back: the writes cannot be optimized away */
        got += n;
    }
    printf("grew %ld MiB (sum %lu)\n", got >> 20, sum);
    return 0;
}
