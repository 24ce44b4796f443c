/* Non-blocking accept and poll readiness on the listening fd 3.
 * 1. accept() on a non-blocking listener with no client pending must fail with EAGAIN.
 * 2. poll() with a 100 ms timeout and no client must report nothing ready.
 * Then it prints "waiting" and polls without timeout: the test connects a client, poll must report fd 3
 * readable and accept() must succeed; the guest writes "hello\n" to the client and exits 0. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
    if (fcntl(3, F_SETFL, O_NONBLOCK) != 0) { perror("fcntl"); return 2; }
    int c = accept(3, NULL, NULL);
    if (c >= 0 || errno != EAGAIN) { printf("accept: expected EAGAIN, got %d (%s)\n", c, strerror(errno)); return 3; }
    printf("accept: EAGAIN\n");
    struct pollfd p = {3, POLLIN, 0};
    int r = poll(&p, 1, 100);
    if (r != 0) { printf("poll with no client: expected 0, got %d\n", r); return 4; }
    printf("poll: timeout\n");
    printf("waiting\n");
    fflush(stdout);
    r = poll(&p, 1, -1);
    if (r != 1 || !(p.revents & POLLIN)) { printf("poll: expected fd 3 readable, got %d/%d\n", r, p.revents); return 5; }
    c = accept(3, NULL, NULL);
    if (c < 0) { perror("accept"); return 6; }
    const char *msg = "hello\n";
    if (send(c, msg, strlen(msg), 0) != (ssize_t) strlen(msg)) { perror("send"); return 7; }
    shutdown(c, SHUT_WR);
    close(c);
    printf("accepted\n");
    return 0;
}
