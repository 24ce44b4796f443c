/* json: a JSON tokenizer (strict scanner: strings with escapes, numbers, literals, punctuation) run
 * PASSES times over a generated document of SIZE KiB. Checksum: FNV-1a over every token's type and length, plus the
 * sum of the integer parts of all numbers. */
#include "harness.h"

#define PASSES 2

static char *doc;
static size_t doc_len;

static size_t emit(char *p, const char *s) {
    size_t n = strlen(s);
    memcpy(p, s, n);
    return n;
}

/* Appends one pseudo-random record object; returns its length. */
static size_t gen_record(char *p, long id) {
    static const char *words[] = {"alpha", "beta", "gamma", "delta\\n", "eps\\\"ilon", "zeta", "\\u00e9ta", "theta"};
    char buf[512];
    int n = snprintf(buf, sizeof buf,
                     "{\"id\":%ld,\"name\":\"%s %s\",\"score\":%ld.%03ld,\"exp\":-%lde%ld,\"active\":%s,"
                     "\"tags\":[\"%s\",\"%s\",null],\"nested\":{\"x\":%ld,\"y\":[%ld,%ld,%ld]}}",
                     id, words[rng_next() % 8], words[rng_next() % 8], (long)(rng_next() % 100000),
                     (long)(rng_next() % 1000), (long)(rng_next() % 9 + 1), (long)(rng_next() % 20),
                     rng_next() % 2 ? "true" : "false", words[rng_next() % 8], words[rng_next() % 8],
                     (long)(rng_next() % 1000000), (long)(rng_next() % 100), (long)(rng_next() % 100),
                     (long)(rng_next() % 100));
    memcpy(p, buf, (size_t)n);
    return (size_t)n;
}

static void setup(long kib) {
    size_t cap = (size_t)kib * 1024 + 1024;
    doc = malloc(cap);
    size_t len = emit(doc, "[\n");
    for (long id = 0; len < (size_t)kib * 1024; id++) {
        if (id > 0)
            len += emit(doc + len, ",\n");
        len += gen_record(doc + len, id);
    }
    len += emit(doc + len, "\n]");
    doc_len = len;
}

enum { T_LBRACE = 1, T_RBRACE, T_LBRACKET, T_RBRACKET, T_COLON, T_COMMA, T_STRING, T_NUMBER, T_TRUE, T_FALSE, T_NULL };

static uint64_t tokenize(void);

static uint64_t run(long kib) {
    (void)kib;
    uint64_t h = 0;
    for (int i = 0; i < PASSES; i++)
        h = h * 31 + tokenize();
    return h;
}

static uint64_t tokenize(void) {
    uint64_t h = 0xcbf29ce484222325ull, numsum = 0;
    const char *p = doc, *end = doc + doc_len;
#define TOKEN(t, len) (h = (h ^ (uint64_t)(t)) * 0x100000001b3ull, h = (h ^ (uint64_t)(len)) * 0x100000001b3ull)
    while (p < end) {
        char c = *p;
        switch (c) {
        case ' ': case '\n': case '\r': case '\t': p++; break;
        case '{': TOKEN(T_LBRACE, 1); p++; break;
        case '}': TOKEN(T_RBRACE, 1); p++; break;
        case '[': TOKEN(T_LBRACKET, 1); p++; break;
        case ']': TOKEN(T_RBRACKET, 1); p++; break;
        case ':': TOKEN(T_COLON, 1); p++; break;
        case ',': TOKEN(T_COMMA, 1); p++; break;
        case '"': {
            const char *s = ++p;
            while (p < end && *p != '"') {
                if (*p == '\\') {
                    p++;
                    if (p < end && *p == 'u') {
                        for (int i = 0; i < 4; i++) {
                            p++;
                            if (p >= end || !((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F')))
                                return 0; /* malformed */
                        }
                    } else if (p >= end || !strchr("\"\\/bfnrt", *p)) {
                        return 0;
                    }
                } else if ((unsigned char)*p < 0x20) {
                    return 0;
                }
                p++;
            }
            if (p >= end)
                return 0;
            TOKEN(T_STRING, p - s);
            p++;
            break;
        }
        case 't': if (end - p >= 4 && memcmp(p, "true", 4) == 0) { TOKEN(T_TRUE, 4); p += 4; break; } return 0;
        case 'f': if (end - p >= 5 && memcmp(p, "false", 5) == 0) { TOKEN(T_FALSE, 5); p += 5; break; } return 0;
        case 'n': if (end - p >= 4 && memcmp(p, "null", 4) == 0) { TOKEN(T_NULL, 4); p += 4; break; } return 0;
        default:
            if (c == '-' || (c >= '0' && c <= '9')) {
                const char *s = p;
                int neg = c == '-';
                if (neg)
                    p++;
                uint64_t v = 0;
                if (p >= end || *p < '0' || *p > '9')
                    return 0;
                while (p < end && *p >= '0' && *p <= '9')
                    v = v * 10 + (uint64_t)(*p++ - '0');
                if (p < end && *p == '.') {
                    p++;
                    if (p >= end || *p < '0' || *p > '9')
                        return 0;
                    while (p < end && *p >= '0' && *p <= '9')
                        p++;
                }
                if (p < end && (*p == 'e' || *p == 'E')) {
                    p++;
                    if (p < end && (*p == '+' || *p == '-'))
                        p++;
                    if (p >= end || *p < '0' || *p > '9')
                        return 0;
                    while (p < end && *p >= '0' && *p <= '9')
                        p++;
                }
                numsum += neg ? (uint64_t)0 - v : v;
                TOKEN(T_NUMBER, p - s);
                break;
            }
            return 0;
        }
    }
    return h ^ numsum;
}

int main(int argc, char **argv) { return harness_main(argc, argv, "json", 16384); }
