/* hashtable: an open-addressing (linear probing) hash table of 64-bit keys: insert SIZE random keys,
 * look up SIZE present and SIZE absent keys, delete half (backward-shift deletion), look up again.
 * Checksum: combines the values found and the counts. */
#include "harness.h"

typedef struct {
    uint64_t key; /* 0 = empty */
    uint64_t value;
} slot;

static slot *table;
static uint64_t mask;
static uint64_t *keys;

static uint64_t hash(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return k;
}

static void setup(long n) {
    uint64_t cap = 1;
    while (cap < (uint64_t)n * 2)
        cap <<= 1;
    table = malloc(cap * sizeof *table);
    mask = cap - 1;
    keys = malloc((size_t)n * 2 * sizeof *keys);
    for (long i = 0; i < 2 * n; i++)
        keys[i] = rng_next() | 1; /* never 0 */
}

static void put(uint64_t k, uint64_t v) {
    uint64_t i = hash(k) & mask;
    while (table[i].key != 0 && table[i].key != k)
        i = (i + 1) & mask;
    table[i].key = k;
    table[i].value = v;
}

static slot *find(uint64_t k) {
    uint64_t i = hash(k) & mask;
    while (table[i].key != 0) {
        if (table[i].key == k)
            return &table[i];
        i = (i + 1) & mask;
    }
    return NULL;
}

static void del(uint64_t k) {
    uint64_t i = hash(k) & mask;
    while (table[i].key != k) {
        if (table[i].key == 0)
            return;
        i = (i + 1) & mask;
    }
    /* backward-shift: move later entries of the cluster into the hole when allowed */
    uint64_t j = i;
    for (;;) {
        table[i].key = 0;
        for (;;) {
            j = (j + 1) & mask;
            if (table[j].key == 0)
                return;
            uint64_t home = hash(table[j].key) & mask;
            /* the entry at j may move to i unless its home lies cyclically in (i, j] */
            if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
                break;
        }
        table[i] = table[j];
        i = j;
    }
}

static uint64_t run(long n) {
    memset(table, 0, (mask + 1) * sizeof *table);
    for (long i = 0; i < n; i++)
        put(keys[i], (uint64_t)i * 2654435761u);
    uint64_t sum = 0, found = 0, missing = 0;
    for (long i = 0; i < 2 * n; i++) {
        slot *s = find(keys[i]);
        if (s) {
            sum += s->value;
            found++;
        } else {
            missing++;
        }
    }
    for (long i = 0; i < n; i += 2)
        del(keys[i]);
    uint64_t found2 = 0;
    for (long i = 0; i < n; i++) {
        slot *s = find(keys[i]);
        if (s) {
            sum ^= s->value + (uint64_t)i;
            found2++;
        }
    }
    return sum ^ (found << 40) ^ (missing << 20) ^ found2;
}

int main(int argc, char **argv) { return harness_main(argc, argv, "hashtable", 1000000); }
