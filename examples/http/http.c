/*
 * http: an HTTP/1.1 "Hello, world!" server on the pre-opened listening socket
 * (the [[files]] entry named "HTTP", else fd 3).
 *
 * Every GET or HEAD answers 200 with "Hello, world!\n". Keep-alive follows
 * HTTP/1.1 rules: persistent unless "Connection: close" (HTTP/1.0: only with
 * "Connection: keep-alive"); pipelined requests are answered in order. Request
 * bodies (Content-Length) are read and discarded; chunked bodies are refused
 * with 411. Other methods get 405, malformed requests 400 and close.
 */
#include "netloop.h"

#include <ctype.h>
#include <strings.h>

#define MAX_HEAD 16384
#define BODY "Hello, world!\n"

typedef struct {
    size_t body_left; /* bytes of a request body still to discard */
} http_state;

static void respond(conn_t *c, int status, const char *reason, int head_only, int keep_alive,
                    const char *extra) {
    const char *body = status == 200 ? BODY : reason;
    char hdr[512];
    int n = snprintf(hdr, sizeof hdr,
                     "HTTP/1.1 %d %s\r\n"
                     "Server: donjon-example\r\n"
                     "Content-Type: text/plain\r\n"
                     "Content-Length: %zu\r\n"
                     "%s%s"
                     "\r\n",
                     status, reason, strlen(body) + (status == 200 ? 0 : 1),
                     keep_alive ? "" : "Connection: close\r\n", extra ? extra : "");
    conn_write(c, hdr, (size_t)n);
    if (!head_only) {
        conn_puts(c, body);
        if (status != 200)
            conn_write(c, "\n", 1);
    }
    if (!keep_alive)
        conn_close_after_flush(c);
}

static int header_has_token(const char *v, size_t len, const char *token) {
    size_t tl = strlen(token);
    for (size_t i = 0; i + tl <= len; i++)
        if (strncasecmp(v + i, token, tl) == 0 &&
            (i == 0 || v[i - 1] == ' ' || v[i - 1] == ',') &&
            (i + tl == len || v[i + tl] == ' ' || v[i + tl] == ',' || v[i + tl] == '\r'))
            return 1;
    return 0;
}

/* Handles one complete request head of length len (ending with CRLF CRLF); returns 0 to stop. */
static int handle_request(conn_t *c, http_state *st, const char *req, size_t len) {
    const char *eol = memchr(req, '\r', len);
    const char *sp1 = memchr(req, ' ', (size_t)(eol - req));
    const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
    if (!sp1 || !sp2 || sp1 == req || sp2 == sp1 + 1 || eol - sp2 - 1 != 8 ||
        memcmp(sp2 + 1, "HTTP/1.", 7) != 0 || (sp2[8] != '0' && sp2[8] != '1')) {
        respond(c, 400, "Bad Request", 0, 0, NULL);
        return 0;
    }
    int http11 = sp2[8] == '1';
    int keep_alive = http11;
    size_t content_length = 0;
    int chunked = 0;
    const char *p = eol + 2;
    const char *end = req + len - 2; /* the final empty line */
    while (p < end) {
        const char *e = memchr(p, '\r', (size_t)(end - p));
        if (!e || e[1] != '\n') {
            respond(c, 400, "Bad Request", 0, 0, NULL);
            return 0;
        }
        const char *colon = memchr(p, ':', (size_t)(e - p));
        if (!colon || colon == p) {
            respond(c, 400, "Bad Request", 0, 0, NULL);
            return 0;
        }
        size_t nlen = (size_t)(colon - p);
        const char *v = colon + 1;
        while (v < e && (*v == ' ' || *v == '\t'))
            v++;
        size_t vlen = (size_t)(e - v);
        if (nlen == 10 && strncasecmp(p, "Connection", 10) == 0) {
            if (header_has_token(v, vlen, "close"))
                keep_alive = 0;
            else if (header_has_token(v, vlen, "keep-alive"))
                keep_alive = 1;
        } else if (nlen == 14 && strncasecmp(p, "Content-Length", 14) == 0) {
            size_t n = 0;
            if (vlen == 0 || vlen > 15) {
                respond(c, 400, "Bad Request", 0, 0, NULL);
                return 0;
            }
            for (size_t i = 0; i < vlen; i++) {
                if (!isdigit((unsigned char)v[i])) {
                    respond(c, 400, "Bad Request", 0, 0, NULL);
                    return 0;
                }
                n = n * 10 + (size_t)(v[i] - '0');
            }
            content_length = n;
        } else if (nlen == 17 && strncasecmp(p, "Transfer-Encoding", 17) == 0) {
            chunked = 1;
        }
        p = e + 2;
    }
    if (chunked) {
        respond(c, 411, "Length Required", 0, 0, NULL);
        return 0;
    }
    st->body_left = content_length;
    size_t mlen = (size_t)(sp1 - req);
    /* HTTP/1.0 clients only keep the connection when told so. */
    const char *ka = !http11 && keep_alive ? "Connection: keep-alive\r\n" : NULL;
    if (mlen == 3 && memcmp(req, "GET", 3) == 0)
        respond(c, 200, "OK", 0, keep_alive, ka);
    else if (mlen == 4 && memcmp(req, "HEAD", 4) == 0)
        respond(c, 200, "OK", 1, keep_alive, ka);
    else
        respond(c, 405, "Method Not Allowed", 0, keep_alive, "Allow: GET, HEAD\r\n");
    return keep_alive;
}

static void on_open(server_t *s, conn_t *c) {
    (void)s;
    c->user = calloc(1, sizeof(http_state));
    if (!c->user)
        c->dead = 1;
}

static void on_close(server_t *s, conn_t *c) {
    (void)s;
    free(c->user);
}

static void on_data(server_t *s, conn_t *c) {
    (void)s;
    http_state *st = c->user;
    size_t pos = 0;
    while (pos < c->in_len && !c->closing) {
        if (st->body_left > 0) {
            size_t k = c->in_len - pos < st->body_left ? c->in_len - pos : st->body_left;
            st->body_left -= k;
            pos += k;
            continue;
        }
        const char *req = (const char *)c->in + pos;
        size_t avail = c->in_len - pos;
        const char *end = NULL;
        for (size_t i = 3; i < avail; i++)
            if (req[i] == '\n' && req[i - 1] == '\r' && req[i - 2] == '\n' && req[i - 3] == '\r') {
                end = req + i + 1;
                break;
            }
        if (!end) {
            if (avail > MAX_HEAD)
                respond(c, 431, "Request Header Fields Too Large", 0, 0, NULL);
            break;
        }
        pos += (size_t)(end - req);
        if (!handle_request(c, st, req, (size_t)(end - req)))
            break;
    }
    if (c->closing)
        pos = c->in_len; /* ignore anything after a request that closes the connection */
    conn_consume(c, pos);
}

int main(void) {
    handlers_t h = {0};
    h.on_open = on_open;
    h.on_data = on_data;
    h.on_close = on_close;
    return netloop_run("http", "HTTP", h);
}
