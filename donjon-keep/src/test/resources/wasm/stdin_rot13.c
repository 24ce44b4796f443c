/*
 * stdin_rot13: a filter. Copies stdin to stdout with letters rotated by 13 (as the rot13 example does for a socket),
 * in the pieces read() returns, until end of file; then prints "stdin_rot13: N bytes" on stderr and exits 0. A read
 * error is reported on stderr ("stdin_rot13: read failed: ...") with exit code 2. Used by the deploy tests to show a
 * guest's stdin arrives whole, in order and ends when the client's ends.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    static unsigned char buf[65536]; /* not on the stack: wasm-ld gives the stack 64 KiB */
    unsigned long long total = 0;
    for (;;) {
        ssize_t n = read(0, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            fprintf(stderr, "stdin_rot13: read failed: %s\n", strerror(errno));
            return 2;
        }
        if (n == 0) break;
        for (ssize_t i = 0; i < n; i++) {
            unsigned char c = buf[i];
            if (c >= 'a' && c <= 'z') c = (unsigned char)('a' + (c - 'a' + 13) % 26);
            else if (c >= 'A' && c <= 'Z') c = (unsigned char)('A' + (c - 'A' + 13) % 26);
            buf[i] = c;
        }
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(1, buf + off, (size_t)(n - off));
            if (w < 0) {
                if (errno == EINTR) continue;
                return 3;
            }
            off += w;
        }
        total += (unsigned long long)n;
    }
    fprintf(stderr, "stdin_rot13: %llu bytes\n", total);
    return 0;
}
