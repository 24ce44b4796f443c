/*
 * netloop.h: a small poll()-based, non-blocking TCP server loop shared by the
 * socket examples (echo, rot13, http, chat).
 *
 * Under WASI (Enarx / Donjon socket model) the guest never creates a socket:
 * the Keep opens the listening socket from Enarx.toml and hands it over as a
 * pre-opened file descriptor. FD_NAMES (':'-joined names of fds 0..FD_COUNT-1)
 * tells which fd carries which name. The guest only calls accept, recv, send,
 * shutdown and poll (sock_accept / sock_recv / sock_send / sock_shutdown /
 * poll_oneoff).
 *
 * Built natively (for testing the same logic on Linux), the loop opens its own
 * listening socket on the port given by the PORT environment variable.
 *
 * Connections live in dynamically grown arrays, so the number of concurrent
 * clients is bounded only by the runtime's fd limit and memory.
 */
#ifndef NETLOOP_H
#define NETLOOP_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* accept4 on Linux */
#endif

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef __wasi__
#include <netinet/in.h>
#include <signal.h>
#endif

/* Stop reading from a client whose unsent output exceeds this (backpressure). */
#define NETLOOP_OUT_HIGH_WATER (1u << 20)
#define NETLOOP_READ_CHUNK 16384

typedef struct conn {
    int fd;
    unsigned char *in;   /* received, not yet consumed by the handler */
    size_t in_len, in_cap;
    unsigned char *out;  /* to send: out[out_off .. out_len) */
    size_t out_off, out_len, out_cap;
    int peer_eof;        /* the client shut down its sending side */
    int closing;         /* close once the output is flushed */
    int dead;            /* close now */
    unsigned long id;
    void *user;
} conn_t;

typedef struct server server_t;

typedef struct handlers {
    void (*on_open)(server_t *s, conn_t *c);
    /* New bytes were appended to c->in; consume what can be handled with conn_consume. */
    void (*on_data)(server_t *s, conn_t *c);
    /* The client closed its side; c->in holds whatever was left unconsumed. */
    void (*on_eof)(server_t *s, conn_t *c);
    void (*on_close)(server_t *s, conn_t *c);
} handlers_t;

struct server {
    int listen_fd;
    struct pollfd *pfds; /* pfds[0] is the listener, pfds[i+1] is conns[i] */
    conn_t **conns;
    size_t n, cap;
    unsigned long next_id;
    unsigned long accepted;
    int accept_paused; /* out of fds: stop polling the listener until a connection closes */
    int verbose;
    const char *prog;
    handlers_t h;
};

static void *netloop_xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fputs("out of memory\n", stderr);
        exit(70);
    }
    return q;
}

static void netloop_log(server_t *s, const char *fmt, ...) {
    if (!s->verbose)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", s->prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void netloop_set_nonblocking(int fd) {
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0 && !(fl & O_NONBLOCK))
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

#ifdef __wasi__
/* Find the pre-opened listening socket: by name in FD_NAMES, else fd 3 (Enarx's convention). */
static int netloop_listen_fd(const char *prog, const char *name) {
    const char *count = getenv("FD_COUNT");
    const char *names = getenv("FD_NAMES");
    if (!count || atoi(count) < 4) {
        fprintf(stderr,
                "%s: no pre-opened listening socket (FD_COUNT=%s); run it with its Enarx.toml, "
                "which declares a [[files]] entry of kind \"listen\" named \"%s\"\n",
                prog, count ? count : "unset", name);
        exit(1);
    }
    if (names) {
        size_t nlen = strlen(name);
        int fd = 0;
        const char *p = names;
        for (;;) {
            const char *e = strchr(p, ':');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            if (len == nlen && memcmp(p, name, nlen) == 0)
                return fd;
            if (!e)
                break;
            p = e + 1;
            fd++;
        }
    }
    return 3;
}
#else
static int netloop_listen_fd(const char *prog, const char *name) {
    (void)name;
    const char *port_s = getenv("PORT");
    int port = port_s ? atoi(port_s) : 0;
    if (port <= 0 || port > 65535) {
        fprintf(stderr, "%s: native build: set PORT to the tcp port to listen on\n", prog);
        exit(1);
    }
    signal(SIGPIPE, SIG_IGN);
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    if (fd < 0) {
        perror("socket");
        exit(1);
    }
    int one = 1, zero = 0;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    struct sockaddr_in6 a;
    memset(&a, 0, sizeof a);
    a.sin6_family = AF_INET6;
    a.sin6_port = htons((unsigned short)port);
    a.sin6_addr = in6addr_any;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 4096) < 0) {
        perror("bind/listen");
        exit(1);
    }
    return fd;
}
#endif

/* Queue bytes for sending to c. */
static inline void conn_write(conn_t *c, const void *buf, size_t len) {
    if (c->dead || len == 0)
        return;
    if (c->out_off > 0 && c->out_off == c->out_len)
        c->out_off = c->out_len = 0;
    if (c->out_len + len > c->out_cap) {
        if (c->out_off > 0) { /* compact before growing */
            memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
            c->out_len -= c->out_off;
            c->out_off = 0;
        }
        if (c->out_len + len > c->out_cap) {
            size_t cap = c->out_cap ? c->out_cap : 1024;
            while (cap < c->out_len + len)
                cap *= 2;
            c->out = netloop_xrealloc(c->out, cap);
            c->out_cap = cap;
        }
    }
    memcpy(c->out + c->out_len, buf, len);
    c->out_len += len;
}

static inline void conn_puts(conn_t *c, const char *s) { conn_write(c, s, strlen(s)); }

static inline size_t conn_pending(const conn_t *c) { return c->out_len - c->out_off; }

/* The handler has dealt with the first n bytes of c->in. */
static inline void conn_consume(conn_t *c, size_t n) {
    if (n >= c->in_len) {
        c->in_len = 0;
        return;
    }
    memmove(c->in, c->in + n, c->in_len - n);
    c->in_len -= n;
}

/* Close c once everything queued for it has been sent. */
static inline void conn_close_after_flush(conn_t *c) { c->closing = 1; }

static void netloop_flush(server_t *s, conn_t *c) {
    while (!c->dead && conn_pending(c) > 0) {
        ssize_t k = send(c->fd, c->out + c->out_off, conn_pending(c), 0);
        if (k > 0) {
            c->out_off += (size_t)k;
        } else if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        } else if (k < 0 && errno == EINTR) {
            continue;
        } else {
            netloop_log(s, "connection %lu: send failed: %s", c->id, strerror(errno));
            c->dead = 1;
        }
    }
    if (conn_pending(c) == 0)
        c->out_off = c->out_len = 0;
}

static void netloop_accept(server_t *s) {
    /* Accept everything that is waiting (the listener is non-blocking), at most a batch per turn. */
    for (int batch = 0; batch < 256; batch++) {
        int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) {
                /* The listener stays readable; polling it now would spin. */
                netloop_log(s, "accept: out of file descriptors with %zu open; pausing accept", s->n);
                s->accept_paused = 1;
                return;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
                netloop_log(s, "accept failed: %s", strerror(errno));
            return;
        }
        netloop_set_nonblocking(fd); /* in case the runtime ignored SOCK_NONBLOCK */
        if (s->n == s->cap) {
            s->cap = s->cap ? s->cap * 2 : 64;
            s->conns = netloop_xrealloc(s->conns, s->cap * sizeof *s->conns);
            s->pfds = netloop_xrealloc(s->pfds, (s->cap + 1) * sizeof *s->pfds);
        }
        conn_t *c = calloc(1, sizeof *c);
        if (!c) {
            close(fd);
            return;
        }
        c->fd = fd;
        c->id = ++s->next_id;
        s->conns[s->n++] = c;
        s->accepted++;
        netloop_log(s, "connection %lu accepted (fd %d, %zu open)", c->id, fd, s->n);
        if (s->h.on_open)
            s->h.on_open(s, c);
        netloop_flush(s, c);
    }
}

static void netloop_read(server_t *s, conn_t *c) {
    if (c->in_cap - c->in_len < NETLOOP_READ_CHUNK) {
        size_t cap = c->in_cap ? c->in_cap : NETLOOP_READ_CHUNK;
        while (cap - c->in_len < NETLOOP_READ_CHUNK)
            cap *= 2;
        c->in = netloop_xrealloc(c->in, cap);
        c->in_cap = cap;
    }
    ssize_t k = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
    if (k > 0) {
        c->in_len += (size_t)k;
        if (s->h.on_data)
            s->h.on_data(s, c);
    } else if (k == 0) {
        c->peer_eof = 1;
        if (s->h.on_eof)
            s->h.on_eof(s, c);
        c->closing = 1;
    } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        netloop_log(s, "connection %lu: recv failed: %s", c->id, strerror(errno));
        c->dead = 1;
    }
}

static void netloop_remove_closed(server_t *s) {
    size_t j = 0;
    for (size_t i = 0; i < s->n; i++) {
        conn_t *c = s->conns[i];
        if (c->dead || (c->closing && conn_pending(c) == 0)) {
            if (s->h.on_close)
                s->h.on_close(s, c);
            if (!c->dead)
                shutdown(c->fd, SHUT_RDWR);
            close(c->fd);
            netloop_log(s, "connection %lu closed", c->id);
            free(c->in);
            free(c->out);
            free(c);
            s->accept_paused = 0;
        } else {
            s->conns[j++] = c;
        }
    }
    s->n = j;
}

/* Runs the server forever. */
static int netloop_run(const char *prog, const char *listen_name, handlers_t h) {
    server_t s;
    memset(&s, 0, sizeof s);
    s.prog = prog;
    s.h = h;
    s.verbose = getenv("VERBOSE") != NULL;
    s.listen_fd = netloop_listen_fd(prog, listen_name);
    netloop_set_nonblocking(s.listen_fd);
    s.pfds = netloop_xrealloc(NULL, sizeof *s.pfds);
    printf("%s: listening on fd %d\n", prog, s.listen_fd);
    fflush(stdout);

    for (;;) {
        netloop_remove_closed(&s);
        s.pfds[0].fd = s.accept_paused ? -1 : s.listen_fd; /* poll() skips negative fds */
        s.pfds[0].events = POLLIN;
        s.pfds[0].revents = 0;
        for (size_t i = 0; i < s.n; i++) {
            conn_t *c = s.conns[i];
            short ev = 0;
            if (!c->peer_eof && !c->closing && conn_pending(c) < NETLOOP_OUT_HIGH_WATER)
                ev |= POLLIN;
            if (conn_pending(c) > 0)
                ev |= POLLOUT;
            /* wasi-libc's poll() refuses an entry with no events: keep POLLIN. */
            if (!ev)
                ev = POLLIN;
            s.pfds[i + 1].fd = c->fd;
            s.pfds[i + 1].events = ev;
            s.pfds[i + 1].revents = 0;
        }
        size_t npfds = s.n + 1;
        int r = poll(s.pfds, npfds, -1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "%s: poll failed: %s\n", prog, strerror(errno));
            return 1;
        }
        size_t n_before = s.n; /* connections accepted below were not polled */
        for (size_t i = 0; i < n_before; i++) {
            conn_t *c = s.conns[i];
            short re = s.pfds[i + 1].revents;
            if (re & POLLNVAL) {
                c->dead = 1;
                continue;
            }
            if ((re & POLLOUT) && !c->dead)
                netloop_flush(&s, c);
            if ((re & (POLLIN | POLLHUP | POLLERR)) && !c->dead) {
                if (!c->peer_eof && !c->closing)
                    netloop_read(&s, c);
                else if (re & (POLLHUP | POLLERR))
                    c->dead = 1; /* nothing more to read; the peer has gone */
            }
            if (!c->dead && conn_pending(c) > 0)
                netloop_flush(&s, c);
        }
        /* Handlers (chat) may have queued output for connections processed earlier in the pass. */
        for (size_t i = 0; i < s.n; i++)
            if (!s.conns[i]->dead && conn_pending(s.conns[i]) > 0)
                netloop_flush(&s, s.conns[i]);
        if (s.pfds[0].revents & (POLLIN | POLLHUP | POLLERR))
            netloop_accept(&s);
    }
}

#endif
