/* Copies its stdin to stdout until end-of-file, then says on stderr how many bytes it read ("eof after N bytes")
 * and exits 0; a failing read is said on stderr ("stdin: <error>") and exits 3. Tests that a deployed guest's stdin
 * arrives whole, in order, and ends only where the client ended it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    char buf[8192];
    long total = 0;
    for (;;) {
        ssize_t n = read(0, buf, sizeof buf);
        if (n < 0) {
            fprintf(stderr, "stdin: %s\n", strerror(errno));
            return 3;
        }
        if (n == 0) break;
        fwrite(buf, 1, (size_t) n, stdout);
        fflush(stdout);
        total += n;
    }
    fprintf(stderr, "eof after %ld bytes\n", total);
    return 0;
}
