/* Client guest for donjon-wasi's TLS tests: fd 3 is a connected stream socket that the host wraps in TLS.
 * Sends "ping\n", reads the one-line answer a byte at a time, sends "done\n", shuts down its sending side
 * (the host sends close_notify), then copies everything else it receives to stdout until end of stream.
 * argv[1] = "block": plain blocking calls; "poll": O_NONBLOCK and poll() before every call. In poll mode a
 * socket that poll() reports ready must not then answer EAGAIN (exit 5): readiness has to account for the
 * TLS handshake and for records that are not plaintext yet. Reading the answer a byte at a time leaves the
 * rest of it decrypted in the host's buffer while the network is silent (the server waits for "done"), so
 * poll() must count that buffered plaintext as readable or this guest waits forever. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int poll_mode;

static void wait_for(short events) {
    struct pollfd p = {3, events, 0};
    if (poll(&p, 1, -1) != 1) {
        perror("poll");
        _exit(6);
    }
}

static void send_all(const char *msg) {
    size_t len = strlen(msg), off = 0;
    while (off < len) {
        if (poll_mode) wait_for(POLLOUT);
        ssize_t w = send(3, msg + off, len - off, 0);
        if (w < 0) {
            if (errno == EAGAIN && poll_mode) {
                fputs("send: EAGAIN after POLLOUT\n", stderr);
                _exit(5);
            }
            perror("send");
            _exit(2);
        }
        off += (size_t)w;
    }
}

/* One recv of at most len bytes; 0 at end of stream. */
static ssize_t receive(char *buf, size_t len) {
    if (poll_mode) wait_for(POLLIN);
    ssize_t r = recv(3, buf, len, 0);
    if (r < 0) {
        if (errno == EAGAIN && poll_mode) {
            fputs("recv: EAGAIN after POLLIN\n", stderr);
            _exit(5);
        }
        perror("recv");
        _exit(4);
    }
    return r;
}

int main(int argc, char **argv) {
    poll_mode = argc > 1 && strcmp(argv[1], "poll") == 0;
    if (poll_mode && fcntl(3, F_SETFL, O_NONBLOCK) != 0) {
        perror("fcntl");
        return 1;
    }
    send_all("ping\n");
    char c = 0;
    while (c != '\n') {
        if (receive(&c, 1) == 0) {
            fputs("end of stream before the answer\n", stderr);
            return 7;
        }
        fputc(c, stdout);
    }
    send_all("done\n");
    if (shutdown(3, SHUT_WR) != 0) {
        perror("shutdown");
        return 3;
    }
    char buf[4096];
    for (ssize_t r; (r = receive(buf, sizeof buf)) > 0; ) fwrite(buf, 1, (size_t)r, stdout);
    fflush(stdout);
    return 0;
}
