/* Accepts (blocking) on fd 3 until accept() fails; prints how many connections it holds and the error.
 * With the host's fd limit set, that error must be EMFILE (the host must not crash or drop the guest). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int main(void) {
    int held = 0;
    for (;;) {
        int c = accept(3, NULL, NULL);
        if (c < 0) {
            int e = errno; /* printf may set errno (stdout's isatty check sets ENOTTY when it is no terminal) */
            printf("held %d, accept failed: %s\n", held, e == EMFILE ? "EMFILE" : strerror(e));
            return e == EMFILE ? 0 : 1;
        }
        held++;
    }
}
