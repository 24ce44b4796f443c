/* stdio_probe: reports what the guest is told about fds 0-2 (the WASI file type from fd_fdstat_get, whether
 * wasi-libc's isatty() says terminal, and whether the rights allow seeking), then copies stdin to stdout (unless its
 * first argument is "report").
 * A program that checks isatty() (a shell, a database's command line) decides from exactly this whether to print
 * prompts. The report goes to stderr, one line per fd: "fd 0: type 6 isatty 0 seek 0". */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

int main(int argc, char **argv) {
    for (int fd = 0; fd < 3; fd++) {
        __wasi_fdstat_t st;
        __wasi_errno_t err = __wasi_fd_fdstat_get(fd, &st);
        if (err != 0) {
            fprintf(stderr, "fd %d: error %d\n", fd, err);
            continue;
        }
        int seek = (st.fs_rights_base & (__WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL)) != 0;
        fprintf(stderr, "fd %d: type %d isatty %d seek %d\n", fd, st.fs_filetype, isatty(fd), seek);
    }
    if (argc > 1 && strcmp(argv[1], "report") == 0) return 0;
    char buf[4096];
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0) {
        if (write(1, buf, n) != n) return 2;
    }
    return n < 0 ? 3 : 0;
}
