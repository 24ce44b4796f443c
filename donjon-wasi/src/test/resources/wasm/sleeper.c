/* Sleeps argv[1] milliseconds (in poll_oneoff, through nanosleep), then exits 0: a guest that uses almost no CPU. */
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
    long ms = argc > 1 ? atol(argv[1]) : 1000;
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    return nanosleep(&t, NULL) == 0 ? 0 : 1;
}
