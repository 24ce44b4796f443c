/* fannkuch: the Benchmarks Game fannkuch-redux on permutations of SIZE elements.
 * Checksum: (checksum << 16) | max flips. */
#include "harness.h"

static void setup(long size) { (void)size; }

static uint64_t run(long n_) {
    int n = (int)n_;
    if (n > 16)
        n = 16;
    int perm[16], perm1[16], count[16];
    long checksum = 0;
    int max_flips = 0, sign = 1;
    for (int i = 0; i < n; i++)
        perm1[i] = i;
    int r = n;
    for (;;) {
        while (r != 1) {
            count[r - 1] = r;
            r--;
        }
        for (int i = 0; i < n; i++)
            perm[i] = perm1[i];
        int flips = 0;
        int k;
        while ((k = perm[0]) != 0) {
            for (int i = 0, j = k; i < j; i++, j--) {
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            flips++;
        }
        if (flips > max_flips)
            max_flips = flips;
        checksum += sign > 0 ? flips : -flips;
        sign = -sign;
        for (;;) {
            if (r == n)
                return ((uint64_t)checksum << 16) | (uint64_t)max_flips;
            int p0 = perm1[0];
            for (int i = 0; i < r; i++)
                perm1[i] = perm1[i + 1];
            perm1[r] = p0;
            if (--count[r] > 0)
                break;
            r++;
        }
    }
}

int main(int argc, char **argv) { return harness_main(argc, argv, "fannkuch", 10); }
