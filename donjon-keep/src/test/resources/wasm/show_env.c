/* Prints what the Keep gave it: "argv[i]=..." lines, then "env=KEY=VALUE" lines in environ order, then
 * "fd i: <filetype>" for fds 0..FD_COUNT-1. Exits with the number in its EXIT_CODE variable (0 if unset),
 * so tests can check that the guest's exit code is the Keep's. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

extern char **environ;

int main(int argc, char **argv) {
    for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    for (char **e = environ; *e; e++) printf("env=%s\n", *e);
    const char *count = getenv("FD_COUNT");
    for (int fd = 0; count && fd < atoi(count); fd++) {
        struct stat st;
        if (fstat(fd, &st) != 0) { printf("fd %d: bad\n", fd); continue; }
        printf("fd %d: %s\n", fd, S_ISSOCK(st.st_mode) ? "socket" : S_ISCHR(st.st_mode) ? "chardev" : "other");
    }
    const char *code = getenv("EXIT_CODE");
    return code ? atoi(code) : 0;
}
