/* matmul: C = A x B for SIZE x SIZE double matrices (i-k-j loop order).
 * Checksum: the bits of a position-weighted sum of C. */
#include "harness.h"

static double *A, *B, *C;

static void setup(long n) {
    A = malloc((size_t)(n * n) * sizeof *A);
    B = malloc((size_t)(n * n) * sizeof *B);
    C = malloc((size_t)(n * n) * sizeof *C);
    for (long i = 0; i < n * n; i++) {
        A[i] = (double)(rng_next() % 2001) / 1000.0 - 1.0;
        B[i] = (double)(rng_next() % 2001) / 1000.0 - 1.0;
    }
}

static uint64_t run(long n) {
    memset(C, 0, (size_t)(n * n) * sizeof *C);
    for (long i = 0; i < n; i++)
        for (long k = 0; k < n; k++) {
            double a = A[i * n + k];
            for (long j = 0; j < n; j++)
                C[i * n + j] += a * B[k * n + j];
        }
    double s = 0;
    for (long i = 0; i < n * n; i++)
        s += C[i] * (double)(i % 7 + 1);
    uint64_t bits;
    memcpy(&bits, &s, sizeof bits);
    return bits;
}

int main(int argc, char **argv) { return harness_main(argc, argv, "matmul", 512); }
