/*
 * rot13: for every line a client sends, replies with the line itself and then
 * its ROT13 (letters rotated by 13, everything else unchanged), as in the Enarx
 * networking demo. Each reply line ends as the received line did ("\n" or
 * "\r\n"). A final line without a newline is answered when the client shuts
 * down its side. Many concurrent clients.
 *
 *   > Hello, World!
 *   < Hello, World!
 *   < Uryyb, Jbeyq!
 */
#include "netloop.h"

#define MAX_LINE 65536 /* a longer line is handled in pieces of this size */

static void reply(conn_t *c, const unsigned char *line, size_t len, int newline) {
    conn_write(c, line, len);
    if (!newline)
        conn_write(c, "\n", 1);
    unsigned char buf[4096];
    size_t i = 0;
    while (i < len) {
        size_t k = 0;
        for (; k < sizeof buf && i < len; k++, i++) {
            unsigned char ch = line[i];
            if (ch >= 'a' && ch <= 'z')
                ch = (unsigned char)('a' + (ch - 'a' + 13) % 26);
            else if (ch >= 'A' && ch <= 'Z')
                ch = (unsigned char)('A' + (ch - 'A' + 13) % 26);
            buf[k] = ch;
        }
        conn_write(c, buf, k);
    }
    if (!newline)
        conn_write(c, "\n", 1);
}

static void on_data(server_t *s, conn_t *c) {
    (void)s;
    size_t start = 0;
    for (size_t i = 0; i < c->in_len; i++) {
        if (c->in[i] == '\n') {
            reply(c, c->in + start, i + 1 - start, 1);
            start = i + 1;
        } else if (i + 1 - start >= MAX_LINE) {
            reply(c, c->in + start, i + 1 - start, 0);
            start = i + 1;
        }
    }
    conn_consume(c, start);
}

static void on_eof(server_t *s, conn_t *c) {
    (void)s;
    if (c->in_len > 0)
        reply(c, c->in, c->in_len, 0);
    conn_consume(c, c->in_len);
}

int main(void) {
    handlers_t h = {0};
    h.on_data = on_data;
    h.on_eof = on_eof;
    return netloop_run("rot13", "ROT13", h);
}
