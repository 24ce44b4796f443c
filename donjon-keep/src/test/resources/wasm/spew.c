/* Writes SPEW_BYTES bytes of 'x' (default 1 MiB) to stdout in 64 KiB writes, then sleeps SPEW_HOLD_MS milliseconds
 * (default 0) and exits 0: output volume for the host agent's buffer tests. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(void) {
    const char *env = getenv("SPEW_BYTES");
    const char *hold = getenv("SPEW_HOLD_MS");
    long left = env ? atol(env) : 1L << 20;
    static char buf[65536];
    memset(buf, 'x', sizeof buf);
    while (left > 0) {
        size_t n = left < (long) sizeof buf ? (size_t) left : sizeof buf;
        ssize_t w = write(1, buf, n);
        if (w <= 0) return 2;
        left -= w;
    }
    if (hold) {
        long ms = atol(hold);
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    return 0;
}
