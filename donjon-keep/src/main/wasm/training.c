/*
 * What a Keep compiles and runs to train itself before a workload arrives (KeepMain: the start-up cache's training
 * run, and spare Keeps while they wait). Unlike a hello world it holds what real C programs hold: wasi-libc's printf
 * core (a function Donjon splits for the JIT), malloc and loops over memory, so that compiling a deployed module
 * finds that code already warm (bench/README.md, Deploy).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    (void) argc;
    char *buf = malloc(4096);
    if (buf == NULL) return 1;
    unsigned sum = 0;
    for (int i = 0; i < 64; i++) {
        int n = snprintf(buf, 4096, "%d %u %x %s %.3f %c %5.2e %ld\n", i, (unsigned) i * 7u, (unsigned) i * 13u,
                         argv[0], i / 3.0, 'a' + i % 26, i * 1e3, (long) i << 20);
        if (n < 0 || n >= 2048) return 1;
        memmove(buf + 1, buf, (size_t) n);
        for (int k = 0; k < n; k++) sum = sum * 31u + (unsigned char) buf[k];
    }
    printf("training %u\n", sum);
    free(buf);
    return 0;
}
