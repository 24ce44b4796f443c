/* Poll-driven echo server for donjon-wasi's socket tests.
 * fd 3 is a listening socket opened by the host. Serves many clients at once from one thread with poll()
 * (WASI poll_oneoff), accept() (sock_accept), recv()/send() (sock_recv/sock_send). Exits 0 after
 * argv[1] connections have been closed by their clients. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CLIENTS 256

int main(int argc, char **argv) {
    int want = argc > 1 ? atoi(argv[1]) : 1;
    int closed = 0;
    struct pollfd fds[MAX_CLIENTS + 1];
    int n = 1;
    fds[0].fd = 3;
    fds[0].events = POLLIN;
    if (fcntl(3, F_SETFL, O_NONBLOCK) != 0) { perror("fcntl"); return 2; }
    while (closed < want) {
        int ready = poll(fds, n, -1);
        if (ready < 0) { perror("poll"); return 3; }
        if (fds[0].revents & POLLIN) {
            for (;;) {
                int c = accept(3, NULL, NULL);
                if (c < 0) {
                    if (errno == EAGAIN) break;
                    perror("accept");
                    return 4;
                }
                if (n > MAX_CLIENTS) { close(c); continue; }
                fcntl(c, F_SETFL, O_NONBLOCK);
                fds[n].fd = c;
                fds[n].events = POLLIN;
                fds[n].revents = 0;
                n++;
            }
        }
        for (int i = 1; i < n; i++) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char buf[4096];
            ssize_t r = recv(fds[i].fd, buf, sizeof buf, 0);
            if (r < 0 && errno == EAGAIN) continue;
            if (r <= 0) {
                close(fds[i].fd);
                fds[i] = fds[n - 1];
                n--;
                i--;
                closed++;
                continue;
            }
            ssize_t off = 0;
            while (off < r) {
                ssize_t w = send(fds[i].fd, buf + off, r - off, 0);
                if (w < 0) {
                    if (errno == EAGAIN) { struct pollfd p = {fds[i].fd, POLLOUT, 0}; poll(&p, 1, -1); continue; }
                    break;
                }
                off += w;
            }
        }
    }
    printf("served %d connections\n", closed);
    return 0;
}
