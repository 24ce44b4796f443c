/*
 * harness.h: the common driver of the compute kernels.
 *
 *   <kernel> [ITERATIONS [SIZE]]
 *
 * setup(size) runs once, untimed; then run(size) is timed ITERATIONS times with
 * clock_gettime(CLOCK_MONOTONIC). Output (parsed by bench/compute.sh):
 *
 *   kernel nbody size 500000 iterations 6
 *   iter 1 123.456
 *   ...
 *   checksum 3fe1c2...        every iteration must compute the same value
 *   first_ms 123.456          iteration 1 (includes any lazy compilation / warm-up of the runtime)
 *   steady_ms 101.234         median of iterations 2..N
 *
 * Kernels avoid libm transcendentals so that native and every wasm runtime produce
 * bit-identical checksums (only IEEE-exact + - * / sqrt on doubles).
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void setup(long size);
static uint64_t run(long size);

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Deterministic pseudo-random numbers (xorshift64*), the same on every platform. */
static uint64_t rng_state __attribute__((unused)) = 0x9E3779B97F4A7C15ull;
__attribute__((unused)) static uint64_t rng_next(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static int harness_main(int argc, char **argv, const char *name, long default_size) {
    int a = 1;
    if (a < argc && strcmp(argv[a], "--") == 0) /* tolerate a runner that passes its separator on */
        a++;
    long iterations = a < argc ? atol(argv[a]) : 6;
    long size = a + 1 < argc ? atol(argv[a + 1]) : default_size;
    if (iterations < 1 || size < 1) {
        fprintf(stderr, "usage: %s [ITERATIONS [SIZE]] (default 6 %ld)\n", name, default_size);
        return 2;
    }
    printf("kernel %s size %ld iterations %ld\n", name, size, iterations);
    setup(size);
    double *ms = malloc((size_t)iterations * sizeof *ms);
    uint64_t sum = 0;
    for (long i = 0; i < iterations; i++) {
        double t0 = now_ms();
        uint64_t c = run(size);
        ms[i] = now_ms() - t0;
        printf("iter %ld %.3f\n", i + 1, ms[i]);
        if (i == 0)
            sum = c;
        else if (c != sum) {
            fprintf(stderr, "%s: iteration %ld computed %016" PRIx64 ", iteration 1 %016" PRIx64 "\n", name,
                    i + 1, c, sum);
            return 1;
        }
    }
    printf("checksum %016" PRIx64 "\n", sum);
    printf("first_ms %.3f\n", ms[0]);
    if (iterations > 1) {
        qsort(ms + 1, (size_t)(iterations - 1), sizeof *ms, cmp_double);
        long m = iterations - 1;
        double med = m % 2 ? ms[1 + m / 2] : (ms[m / 2] + ms[1 + m / 2]) / 2;
        printf("steady_ms %.3f\n", med);
    }
    free(ms);
    return 0;
}

#endif
