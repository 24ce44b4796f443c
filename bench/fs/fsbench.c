/* fsbench: the WASI file-system calls a program makes most, timed by the guest itself.
 *
 *   fsbench DIR [ROUNDS]
 *
 * In DIR it measures, ROUNDS times each (median printed; round 1 included, so give a JIT time with ROUNDS >= 5):
 *   write BLOCK: 64 MiB written to DIR/bench.dat in BLOCK-byte writes (4 KiB: per-call cost; 1 MiB: bandwidth)
 *   read BLOCK:  the same file read back in BLOCK-byte reads
 *   open:        open + close of DIR/a/b/c/file (a path of four components), 20,000 times
 *   stat:        stat of the same path, 20,000 times
 * Output: one line per measurement, "write 4KiB: 812.3 MiB/s" or "open: 151234 /s".
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TOTAL (64L << 20)
#define OPENS 20000

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
    qsort(v, n, sizeof *v, cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static char *buf;

static double write_file(const char *path, long block) {
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0) { perror(path); exit(1); }
    double t0 = now();
    for (long done = 0; done < TOTAL; done += block) {
        if (write(fd, buf, block) != block) { perror("write"); exit(1); }
    }
    double t = now() - t0;
    close(fd);
    return TOTAL / (double) (1 << 20) / t;
}

static double read_file(const char *path, long block) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) { perror(path); exit(1); }
    double t0 = now();
    long total = 0, n;
    while ((n = read(fd, buf, block)) > 0) total += n;
    double t = now() - t0;
    close(fd);
    if (total != TOTAL) { fprintf(stderr, "read %ld bytes, expected %ld\n", total, TOTAL); exit(1); }
    return TOTAL / (double) (1 << 20) / t;
}

static double opens(const char *path) {
    double t0 = now();
    for (int i = 0; i < OPENS; i++) {
        int fd = open(path, O_RDONLY);
        if (fd < 0) { perror(path); exit(1); }
        close(fd);
    }
    return OPENS / (now() - t0);
}

static double stats(const char *path) {
    struct stat st;
    double t0 = now();
    for (int i = 0; i < OPENS; i++) {
        if (stat(path, &st) < 0) { perror(path); exit(1); }
    }
    return OPENS / (now() - t0);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: fsbench DIR [ROUNDS]\n"); return 2; }
    const char *dir = argv[1];
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    if (rounds < 1 || rounds > 100) rounds = 5;
    buf = malloc(1 << 20);
    memset(buf, 'x', 1 << 20);
    char data[512], deep[512];
    snprintf(data, sizeof data, "%s/bench.dat", dir);
    snprintf(deep, sizeof deep, "%s/a", dir); mkdir(deep, 0755);
    snprintf(deep, sizeof deep, "%s/a/b", dir); mkdir(deep, 0755);
    snprintf(deep, sizeof deep, "%s/a/b/c", dir); mkdir(deep, 0755);
    snprintf(deep, sizeof deep, "%s/a/b/c/file", dir);
    close(open(deep, O_CREAT | O_WRONLY, 0644));

    long blocks[] = {4096, 1 << 20};
    const char *names[] = {"4KiB", "1MiB"};
    double v[100];
    for (int b = 0; b < 2; b++) {
        for (int r = 0; r < rounds; r++) v[r] = write_file(data, blocks[b]);
        printf("write %s: %.1f MiB/s\n", names[b], median(v, rounds));
        for (int r = 0; r < rounds; r++) v[r] = read_file(data, blocks[b]);
        printf("read %s: %.1f MiB/s\n", names[b], median(v, rounds));
    }
    for (int r = 0; r < rounds; r++) v[r] = opens(deep);
    printf("open: %.0f /s\n", median(v, rounds));
    for (int r = 0; r < rounds; r++) v[r] = stats(deep);
    printf("stat: %.0f /s\n", median(v, rounds));
    unlink(data);
    return 0;
}
