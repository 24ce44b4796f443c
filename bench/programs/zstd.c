/*
 * zstd: the Zstandard compression library (Debian's libzstd source, single-threaded) compressing and
 * decompressing generated data.
 *
 *   zstd [ITERATIONS [KIB]]      (default 6 4096)
 *
 * setup() generates KIB KiB of mixed data (deterministic): text-like records, a repetitive table and
 * random-ish bytes. Each iteration compresses it at levels 1, 3 and 9, decompresses each result, checks
 * that it gets the input back, and folds the compressed bytes (XXH64) into the checksum.
 */
#define ZSTD_STATIC_LINKING_ONLY
#include "zstd.h"
#define XXH_STATIC_LINKING_ONLY
#include "xxhash.h"
#include "../compute/harness.h"

static unsigned char *input, *packed, *unpacked;
static size_t input_len, packed_cap;

static const char *const words[] = {"lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit",
                                    "sed", "do", "eiusmod", "tempor", "incididunt", "ut", "labore", "et", "dolore",
                                    "magna", "aliqua", "enim"};

static void setup(long kib) {
    input_len = (size_t)kib * 1024;
    input = malloc(input_len + 256);
    size_t n = 0;
    while (n < input_len) {
        unsigned kind = (unsigned)(rng_next() % 8);
        char rec[256];
        int len;
        if (kind < 5) { /* a text record */
            len = snprintf(rec, sizeof rec, "%s %s %s, %s %s. ", words[rng_next() % 20], words[rng_next() % 20],
                           words[rng_next() % 20], words[rng_next() % 20], words[rng_next() % 20]);
        } else if (kind < 7) { /* a table row: mostly repeated, some numbers */
            len = snprintf(rec, sizeof rec, "| %08u | %-10s | %6u | ok |\n", (unsigned)(n / 64 % 100000000),
                           words[rng_next() % 4], (unsigned)(rng_next() % 1000));
        } else { /* noise */
            len = 32 + (int)(rng_next() % 64);
            for (int i = 0; i < len; i++) rec[i] = (char)(rng_next() % 256);
        }
        if (n + (size_t)len > input_len) len = (int)(input_len - n);
        memcpy(input + n, rec, (size_t)len);
        n += (size_t)len;
    }
    packed_cap = ZSTD_compressBound(input_len);
    packed = malloc(packed_cap);
    unpacked = malloc(input_len);
}

static uint64_t run(long kib) {
    (void)kib;
    static const int levels[] = {1, 3, 9};
    uint64_t sum = 0;
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    for (size_t l = 0; l < sizeof levels / sizeof *levels; l++) {
        size_t c = ZSTD_compressCCtx(cctx, packed, packed_cap, input, input_len, levels[l]);
        if (ZSTD_isError(c)) { fprintf(stderr, "zstd: compress: %s\n", ZSTD_getErrorName(c)); exit(1); }
        size_t d = ZSTD_decompressDCtx(dctx, unpacked, input_len, packed, c);
        if (ZSTD_isError(d)) { fprintf(stderr, "zstd: decompress: %s\n", ZSTD_getErrorName(d)); exit(1); }
        if (d != input_len || memcmp(unpacked, input, input_len) != 0) {
            fprintf(stderr, "zstd: level %d: decompressed data differs from the input\n", levels[l]);
            exit(1);
        }
        sum = sum * 31 + XXH64(packed, c, (unsigned long long)levels[l]) + c;
    }
    ZSTD_freeCCtx(cctx);
    ZSTD_freeDCtx(dctx);
    return sum;
}

int main(int argc, char **argv) { return harness_main(argc, argv, "zstd", 4096); }
