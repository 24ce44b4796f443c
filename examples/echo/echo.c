/*
 * echo: TCP echo server. Sends back every byte each client sends, to many
 * concurrent clients, on the listening socket the Keep pre-opens from
 * Enarx.toml (the [[files]] entry named "ECHO", else fd 3).
 */
#include "netloop.h"

static void on_data(server_t *s, conn_t *c) {
    (void)s;
    conn_write(c, c->in, c->in_len);
    conn_consume(c, c->in_len);
}

int main(void) {
    handlers_t h = {0};
    h.on_data = on_data;
    return netloop_run("echo", "ECHO", h);
}
