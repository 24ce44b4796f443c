/* Client guest for donjon-wasi's TLS tests: fd 3 is a connected stream socket that the host wraps in TLS.
 * Sends "ping\n", shuts down its sending side (the host sends close_notify), then copies everything it
 * receives to stdout until end of stream.
 * argv[1] = "block": plain blocking calls; "poll": O_NONBLOCK and poll() before every call. In poll mode a
 * socket that poll() reports ready must not then answer EAGAIN (exit 5): readiness has to account for the
 * TLS handshake and for records that are not plaintext yet. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void wait_for(int fd, short events) {
    struct pollfd p = {fd, events, 0};
    if (poll(&p, 1, -1) != 1) {
        perror("poll");
        _exit(6);
    }
}

int main(int argc, char **argv) {
    int poll_mode = argc > 1 && strcmp(argv[1], "poll") == 0;
    if (poll_mode && fcntl(3, F_SETFL, O_NONBLOCK) != 0) {
        perror("fcntl");
        return 1;
    }
    const char *msg = "ping\n";
    size_t len = strlen(msg), off = 0;
    while (off < len) {
        if (poll_mode) wait_for(3, POLLOUT);
        ssize_t w = send(3, msg + off, len - off, 0);
        if (w < 0) {
            if (errno == EAGAIN && poll_mode) {
                fputs("send: EAGAIN after POLLOUT\n", stderr);
                return 5;
            }
            perror("send");
            return 2;
        }
        off += (size_t)w;
    }
    if (shutdown(3, SHUT_WR) != 0) {
        perror("shutdown");
        return 3;
    }
    char buf[4096];
    for (;;) {
        if (poll_mode) wait_for(3, POLLIN);
        ssize_t r = recv(3, buf, sizeof buf, 0);
        if (r < 0) {
            if (errno == EAGAIN && poll_mode) {
                fputs("recv: EAGAIN after POLLIN\n", stderr);
                return 5;
            }
            perror("recv");
            return 4;
        }
        if (r == 0) break;
        fwrite(buf, 1, (size_t)r, stdout);
    }
    fflush(stdout);
    return 0;
}
