/* Uses the connected socket the Keep opened as fd 3 (Enarx "connect"): sends "ping\n", reads the peer's
 * reply until it closes, prints it to stdout. The guest never creates a socket itself. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
    const char *msg = "ping\n";
    if (send(3, msg, strlen(msg), 0) != (ssize_t) strlen(msg)) { perror("send"); return 2; }
    char buf[256];
    ssize_t n;
    while ((n = recv(3, buf, sizeof buf, 0)) > 0) fwrite(buf, 1, (size_t) n, stdout);
    if (n < 0) { perror("recv"); return 3; }
    return 0;
}
