/*
 * wasi-sock-host.c: a minimal native WASI preview 1 host, with Enarx-style pre-opened sockets, for
 * running the example servers' .wasm files through wasm2c (wabt) without Donjon. A test tool only:
 * it implements just the calls the examples import, with no sandboxing of fds beyond 0-2 + sockets.
 *
 * Like a Keep it opens the listening socket itself (on PORT, as fd 3) and gives the guest
 * FD_COUNT=4 and FD_NAMES=stdin:stdout:stderr:<LISTEN_NAME>. Built by examples/test/wasm2c-run.sh,
 * which defines MOD (the wasm2c module name) and includes the generated header.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include MOD_HEADER
#include "wasm-rt-impl.h"

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define INSTANCE_T CAT(CAT(Z_, MOD), _instance_t)
#define INSTANTIATE CAT(CAT(Z_, MOD), _instantiate)
#define INIT_MODULE CAT(CAT(Z_, MOD), _init_module)
#define START CAT(CAT(Z_, MOD), Z__start)
#define MEMORY CAT(CAT(Z_, MOD), Z_memory)

struct Z_wasi_snapshot_preview1_instance_t {
    wasm_rt_memory_t *mem;
};
typedef struct Z_wasi_snapshot_preview1_instance_t host_t;

static char *env_vars[8];
static int env_count;

#define MEM(h, off) ((h)->mem->data + (uint32_t)(off))
static uint32_t ld32(host_t *h, uint32_t off) { uint32_t v; memcpy(&v, MEM(h, off), 4); return v; }
static void st32(host_t *h, uint32_t off, uint32_t v) { memcpy(MEM(h, off), &v, 4); }
static void st16(host_t *h, uint32_t off, uint16_t v) { memcpy(MEM(h, off), &v, 2); }
static void st64(host_t *h, uint32_t off, uint64_t v) { memcpy(MEM(h, off), &v, 8); }

static uint32_t wasi_errno(int e) {
    switch (e) {
    case EAGAIN: return 6;
    case EBADF: return 8;
    case ECONNABORTED: return 13;
    case ECONNRESET: return 15;
    case EINTR: return 27;
    case EINVAL: return 28;
    case EMFILE: return 33;
    case ENOTCONN: return 53;
    case ENOTSOCK: return 57;
    case EPIPE: return 64;
    case ESPIPE: return 70;
    default: return 29;
    }
}

static int iovecs(host_t *h, uint32_t iovs, uint32_t n, struct iovec *out) {
    if (n > 64)
        n = 64;
    for (uint32_t i = 0; i < n; i++) {
        out[i].iov_base = MEM(h, ld32(h, iovs + 8 * i));
        out[i].iov_len = ld32(h, iovs + 8 * i + 4);
    }
    return (int)n;
}

uint32_t Z_wasi_snapshot_preview1Z_args_sizes_get(host_t *h, uint32_t argc, uint32_t size) {
    st32(h, argc, 1);
    st32(h, size, 10);
    return 0;
}
uint32_t Z_wasi_snapshot_preview1Z_args_get(host_t *h, uint32_t argv, uint32_t buf) {
    st32(h, argv, buf);
    memcpy(MEM(h, buf), "main.wasm", 10);
    return 0;
}
uint32_t Z_wasi_snapshot_preview1Z_environ_sizes_get(host_t *h, uint32_t count, uint32_t size) {
    uint32_t s = 0;
    for (int i = 0; i < env_count; i++)
        s += (uint32_t)strlen(env_vars[i]) + 1;
    st32(h, count, (uint32_t)env_count);
    st32(h, size, s);
    return 0;
}
uint32_t Z_wasi_snapshot_preview1Z_environ_get(host_t *h, uint32_t environ, uint32_t buf) {
    for (int i = 0; i < env_count; i++) {
        size_t n = strlen(env_vars[i]) + 1;
        st32(h, environ + 4 * (uint32_t)i, buf);
        memcpy(MEM(h, buf), env_vars[i], n);
        buf += (uint32_t)n;
    }
    return 0;
}
uint32_t Z_wasi_snapshot_preview1Z_fd_write(host_t *h, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t nw) {
    struct iovec v[64];
    ssize_t k = writev((int)fd, v, iovecs(h, iovs, n, v));
    if (k < 0)
        return wasi_errno(errno);
    st32(h, nw, (uint32_t)k);
    return 0;
}
uint32_t Z_wasi_snapshot_preview1Z_fd_close(host_t *h, uint32_t fd) {
    (void)h;
    return close((int)fd) < 0 ? wasi_errno(errno) : 0;
}
uint32_t Z_wasi_snapshot_preview1Z_fd_seek(host_t *h, uint32_t fd, uint64_t off, uint32_t whence, uint32_t out) {
    (void)h, (void)fd, (void)off, (void)whence, (void)out;
    return 70; /* ESPIPE: only streams here */
}
uint32_t Z_wasi_snapshot_preview1Z_fd_fdstat_get(host_t *h, uint32_t fd, uint32_t buf) {
    int fl = fcntl((int)fd, F_GETFL);
    if (fl < 0)
        return wasi_errno(errno);
    memset(MEM(h, buf), 0, 24);
    *MEM(h, buf) = fd > 2 ? 6 /* socket_stream */ : 2 /* character_device */;
    st16(h, buf + 2, (fl & O_NONBLOCK) ? 4 : 0);
    st64(h, buf + 8, ~(uint64_t)0);
    st64(h, buf + 16, ~(uint64_t)0);
    return 0;
}
uint32_t Z_wasi_snapshot_preview1Z_fd_fdstat_set_flags(host_t *h, uint32_t fd, uint32_t flags) {
    (void)h;
    int fl = fcntl((int)fd, F_GETFL);
    if (fl < 0)
        return wasi_errno(errno);
    fl = (flags & 4) ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
    return fcntl((int)fd, F_SETFL, fl) < 0 ? wasi_errno(errno) : 0;
}
void Z_wasi_snapshot_preview1Z_proc_exit(host_t *h, uint32_t code) {
    (void)h;
    exit((int)code);
}
uint32_t Z_wasi_snapshot_preview1Z_sock_accept(host_t *h, uint32_t fd, uint32_t flags, uint32_t out) {
    int c = accept4((int)fd, NULL, NULL, (flags & 4) ? SOCK_NONBLOCK : 0);
    if (c < 0)
        return wasi_errno(errno);
    st32(h, out, (uint32_t)c);
    return 0;
}
uint32_t Z_wasi_snapshot_preview1Z_sock_recv(host_t *h, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t flags,
                                             uint32_t out_len, uint32_t out_flags) {
    struct iovec v[64];
    struct msghdr m = {0};
    m.msg_iov = v;
    m.msg_iovlen = (size_t)iovecs(h, iovs, n, v);
    ssize_t k = recvmsg((int)fd, &m, ((flags & 1) ? MSG_PEEK : 0) | ((flags & 2) ? MSG_WAITALL : 0));
    if (k < 0)
        return wasi_errno(errno);
    st32(h, out_len, (uint32_t)k);
    st16(h, out_flags, 0);
    return 0;
}
uint32_t Z_wasi_snapshot_preview1Z_sock_send(host_t *h, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t flags,
                                             uint32_t out_len) {
    (void)flags;
    struct iovec v[64];
    struct msghdr m = {0};
    m.msg_iov = v;
    m.msg_iovlen = (size_t)iovecs(h, iovs, n, v);
    ssize_t k = sendmsg((int)fd, &m, MSG_NOSIGNAL);
    if (k < 0)
        return wasi_errno(errno);
    st32(h, out_len, (uint32_t)k);
    return 0;
}
uint32_t Z_wasi_snapshot_preview1Z_sock_shutdown(host_t *h, uint32_t fd, uint32_t how) {
    (void)h;
    int s = how == 1 ? SHUT_RD : how == 2 ? SHUT_WR : SHUT_RDWR;
    return shutdown((int)fd, s) < 0 ? wasi_errno(errno) : 0;
}
/* poll_oneoff over fd_read / fd_write subscriptions and at most one relative clock (the timeout). */
uint32_t Z_wasi_snapshot_preview1Z_poll_oneoff(host_t *h, uint32_t in, uint32_t out, uint32_t nsubs,
                                               uint32_t nevents) {
    struct pollfd *p = calloc(nsubs ? nsubs : 1, sizeof *p);
    int timeout = -1;
    uint64_t clock_ud = 0;
    int has_clock = 0;
    for (uint32_t i = 0; i < nsubs; i++) {
        uint32_t s = in + 48 * i;
        uint8_t tag = *MEM(h, s + 8);
        p[i].fd = -1;
        if (tag == 0) {
            uint64_t ns;
            memcpy(&ns, MEM(h, s + 24), 8);
            memcpy(&clock_ud, MEM(h, s), 8);
            has_clock = 1;
            timeout = (int)(ns / 1000000);
        } else {
            p[i].fd = (int)ld32(h, s + 16);
            p[i].events = tag == 1 ? POLLIN : POLLOUT;
        }
    }
    int r;
    do
        r = poll(p, nsubs, timeout);
    while (r < 0 && errno == EINTR);
    if (r < 0) {
        free(p);
        return wasi_errno(errno);
    }
    uint32_t ne = 0;
    for (uint32_t i = 0; i < nsubs; i++) {
        if (p[i].fd < 0 || !p[i].revents)
            continue;
        uint32_t e = out + 32 * ne++;
        memset(MEM(h, e), 0, 32);
        memcpy(MEM(h, e), MEM(h, in + 48 * i), 8);
        st16(h, e + 8, (p[i].revents & POLLNVAL) ? 8 : 0);
        *MEM(h, e + 10) = *MEM(h, in + 48 * i + 8);
        int avail = 1;
        if (p[i].events == POLLIN)
            ioctl(p[i].fd, FIONREAD, &avail);
        st64(h, e + 16, (uint64_t)avail);
        st16(h, e + 24, (p[i].revents & POLLHUP) ? 1 : 0);
    }
    if (ne == 0 && has_clock) {
        uint32_t e = out;
        memset(MEM(h, e), 0, 32);
        memcpy(MEM(h, e), &clock_ud, 8);
        ne = 1;
    }
    st32(h, nevents, ne);
    free(p);
    return 0;
}
uint32_t Z_wasi_snapshot_preview1Z_clock_time_get(host_t *h, uint32_t id, uint64_t prec, uint32_t out) {
    (void)prec;
    struct timespec t;
    clock_gettime(id == 0 ? CLOCK_REALTIME : CLOCK_MONOTONIC, &t);
    st64(h, out, (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: PORT=n %s LISTEN_NAME (or 'none': no socket)\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    static char names[256];
    if (strcmp(argv[1], "none") != 0) {
        const char *port = getenv("PORT");
        int fd = socket(AF_INET6, SOCK_STREAM, 0), one = 1, zero = 0;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
        struct sockaddr_in6 a = {0};
        a.sin6_family = AF_INET6;
        a.sin6_port = htons((unsigned short)atoi(port ? port : "0"));
        if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 4096) < 0) {
            perror("bind/listen");
            return 1;
        }
        if (fd != 3) {
            dup2(fd, 3);
            close(fd);
        }
        env_vars[env_count++] = "FD_COUNT=4";
        snprintf(names, sizeof names, "FD_NAMES=stdin:stdout:stderr:%s", argv[1]);
        env_vars[env_count++] = names;
    }
    if (getenv("VERBOSE"))
        env_vars[env_count++] = "VERBOSE=1";

    static INSTANCE_T inst;
    static host_t host;
    wasm_rt_init();
    INIT_MODULE();
    INSTANTIATE(&inst, &host);
    host.mem = MEMORY(&inst);
    wasm_rt_trap_t trap = (wasm_rt_trap_t)wasm_rt_impl_try();
    if (trap) {
        fprintf(stderr, "trap: %s\n", wasm_rt_strerror(trap));
        return 134;
    }
    START(&inst);
    return 0;
}
