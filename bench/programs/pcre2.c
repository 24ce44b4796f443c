/*
 * pcre2: the PCRE2 regular-expression library (Debian's pcre2 source, 8-bit, its interpreter: no JIT) finding
 * every match of a dozen patterns in a generated log.
 *
 *   pcre2 [ITERATIONS [KIB]]      (default 6 1536)
 *
 * setup() generates KIB KiB of web-server-log-like text (deterministic). Each iteration compiles the patterns
 * and scans the whole text with each of them (all matches, as grep -o does), folding every match's offsets
 * and captured groups into the checksum.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "pcre2.h"
#include "../compute/harness.h"

static char *text;
static size_t text_len;

static const char *const patterns[] = {
    "\\b\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\b",                       /* IPv4 addresses */
    "\\[(\\d{2})/(\\w{3})/(\\d{4}):(\\d{2}:\\d{2}:\\d{2})[^\\]]*\\]",          /* timestamps, with groups */
    "\"(GET|POST|PUT|DELETE) (/[^ ?\"]*)(?:\\?([^ \"]*))? HTTP/1\\.[01]\"",      /* request lines */
    "[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+",                                         /* e-mail addresses */
    "(?i)error|warn(?:ing)?|fatal|timeout",                                      /* case-insensitive words */
    "\\b(\\w+)\\s+\\1\\b",                                                        /* doubled words (backreference) */
    "(?<=user=)[a-z]+(?=;)",                                                      /* lookbehind and lookahead */
    "\\b[a-z]+(?:ing|ed|tion)\\b",                                                /* suffixes */
    "\\d+(?:\\.\\d+)?\\s*(?:ms|s|KB|MB)\\b",                                      /* quantities with units */
    "^[^\"]*\"[^\"]*\" (?:5\\d\\d|404) .*$",                                      /* whole lines, multiline */
    "(?:a|b|c|d|e)[^aeiou\\s]{3,}[aeiou]",                                        /* classes and repeats */
    "(\\w+)=(\"[^\"]*\"|[^;\\s]+)",                                               /* key=value pairs */
};

static const char *const words[] = {"alpha", "request", "served", "cache", "upstream", "timeout", "warning",
                                    "connection", "handler", "the", "the", "index", "session", "loaded", "Error",
                                    "retrying", "compressed", "gateway", "backend", "FATAL"};
static const char *const paths[] = {"/", "/index.html", "/api/v1/items", "/api/v1/users/42", "/static/app.js",
                                    "/login", "/search", "/img/logo.png"};
static const char *const methods[] = {"GET", "GET", "GET", "POST", "PUT", "DELETE"};
static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const int statuses[] = {200, 200, 200, 200, 304, 301, 404, 500, 502, 503};

static void setup(long kib) {
    size_t cap = (size_t)kib * 1024;
    text = malloc(cap + 512);
    size_t n = 0;
    while (n < cap) {
        char line[512];
        int len = snprintf(line, sizeof line,
                           "%u.%u.%u.%u - - [%02u/%s/20%02u:%02u:%02u:%02u +0000] \"%s %s%s HTTP/1.1\" %d %u "
                           "user=%s; took %u.%u ms; %s %s %s %s; mail %s.%s@example-%u.org; note=\"%s %s\"\n",
                           (unsigned)(rng_next() % 256), (unsigned)(rng_next() % 256), (unsigned)(rng_next() % 256),
                           (unsigned)(rng_next() % 256), (unsigned)(1 + rng_next() % 28), months[rng_next() % 12],
                           (unsigned)(rng_next() % 30), (unsigned)(rng_next() % 24), (unsigned)(rng_next() % 60),
                           (unsigned)(rng_next() % 60), methods[rng_next() % 6], paths[rng_next() % 8],
                           rng_next() % 3 ? "" : "?q=term&page=2", statuses[rng_next() % 10],
                           (unsigned)(rng_next() % 90000), words[rng_next() % 20], (unsigned)(rng_next() % 900),
                           (unsigned)(rng_next() % 10), words[rng_next() % 20], words[rng_next() % 20],
                           words[rng_next() % 20], words[rng_next() % 20], words[rng_next() % 20],
                           words[rng_next() % 20], (unsigned)(rng_next() % 100), words[rng_next() % 20],
                           words[rng_next() % 20]);
        memcpy(text + n, line, (size_t)len);
        n += (size_t)len;
    }
    text_len = n;
}

static uint64_t run(long kib) {
    (void)kib;
    uint64_t sum = 0xcbf29ce484222325ull;
    for (size_t p = 0; p < sizeof patterns / sizeof *patterns; p++) {
        int err;
        PCRE2_SIZE erroff;
        pcre2_code *re = pcre2_compile((PCRE2_SPTR)patterns[p], PCRE2_ZERO_TERMINATED, PCRE2_MULTILINE, &err, &erroff, NULL);
        if (re == NULL) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(err, msg, sizeof msg);
            fprintf(stderr, "pcre2: pattern %zu at %zu: %s\n", p, (size_t)erroff, (char *)msg);
            exit(1);
        }
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
        PCRE2_SIZE start = 0;
        uint64_t matches = 0;
        while (start <= text_len) {
            int rc = pcre2_match(re, (PCRE2_SPTR)text, text_len, start, 0, md, NULL);
            if (rc == PCRE2_ERROR_NOMATCH) break;
            if (rc < 0) { fprintf(stderr, "pcre2: pattern %zu: match error %d\n", p, rc); exit(1); }
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            for (int g = 0; g < rc; g++) {
                uint64_t a = ov[2 * g] == PCRE2_UNSET ? 0xffffffffu : (uint64_t)ov[2 * g];
                uint64_t b = ov[2 * g + 1] == PCRE2_UNSET ? 0xffffffffu : (uint64_t)ov[2 * g + 1];
                sum = (sum ^ (a << 32 | b)) * 0x100000001b3ull;
            }
            matches++;
            start = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
        }
        sum = (sum ^ matches) * 0x100000001b3ull;
        pcre2_match_data_free(md);
        pcre2_code_free(re);
    }
    return sum;
}

int main(int argc, char **argv) { return harness_main(argc, argv, "pcre2", 1536); }
