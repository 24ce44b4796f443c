/*
 * chat: a line-based chat server on the pre-opened listening socket (the
 * [[files]] entry named "CHAT", else fd 3). Every line a client sends is
 * broadcast, prefixed with "<id>: ", to all other connected clients (not back
 * to the sender). A client that cannot keep up (more than 4 MiB waiting for
 * it) is disconnected rather than letting the server's memory grow.
 *
 *   $ nc localhost 10040
 *   * you are user 2, 1 other connected
 *   1: hi there
 */
#include "netloop.h"

#define MAX_LINE 4096
#define SLOW_CLIENT_LIMIT (4u << 20)

static void broadcast(server_t *s, conn_t *from, const unsigned char *line, size_t len, int add_newline) {
    char prefix[32];
    int plen = snprintf(prefix, sizeof prefix, "%lu: ", from->id);
    for (size_t i = 0; i < s->n; i++) {
        conn_t *c = s->conns[i];
        if (c == from || c->dead || c->closing)
            continue;
        if (conn_pending(c) > SLOW_CLIENT_LIMIT) {
            c->dead = 1;
            continue;
        }
        conn_write(c, prefix, (size_t)plen);
        conn_write(c, line, len);
        if (add_newline)
            conn_write(c, "\n", 1);
    }
}

static void on_open(server_t *s, conn_t *c) {
    char msg[96];
    int n = snprintf(msg, sizeof msg, "* you are user %lu, %zu other%s connected\n", c->id, s->n - 1,
                     s->n == 2 ? "" : "s");
    conn_write(c, msg, (size_t)n);
}

static void on_data(server_t *s, conn_t *c) {
    size_t start = 0;
    for (size_t i = 0; i < c->in_len; i++) {
        if (c->in[i] == '\n') {
            broadcast(s, c, c->in + start, i + 1 - start, 0);
            start = i + 1;
        } else if (i + 1 - start >= MAX_LINE) { /* an overlong line goes out in pieces */
            broadcast(s, c, c->in + start, i + 1 - start, 1);
            start = i + 1;
        }
    }
    conn_consume(c, start);
}

static void on_eof(server_t *s, conn_t *c) {
    if (c->in_len > 0) /* a last line without its newline */
        broadcast(s, c, c->in, c->in_len, 1);
    conn_consume(c, c->in_len);
}

int main(void) {
    handlers_t h = {0};
    h.on_open = on_open;
    h.on_data = on_data;
    h.on_eof = on_eof;
    return netloop_run("chat", "CHAT", h);
}
