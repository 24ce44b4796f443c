/* fs_attacks: a small command language for file-system attacks on the WASI host (ConfinementTest).
 * Arguments are commands separated by "--"; each prints one line "<command>: <result>" on stdout.
 *
 *   opendir SLOT PATH            open PATH as a directory and keep it in SLOT (a single letter)
 *   readat SLOT NAME             read NAME through the held directory (prints its content)
 *   createat SLOT NAME TEXT      create NAME (O_CREAT|O_EXCL) through the held directory and write TEXT
 *   linkat SLOT NAME PATH        hard-link NAME (relative to the held directory) to PATH
 *   statat SLOT NAME             size of NAME through the held directory
 *   unlinkat SLOT NAME           remove NAME through the held directory
 *   read PATH | write PATH TEXT | mkdir PATH | rename FROM TO | symlink TARGET PATH | link FROM TO
 *   unlink PATH | readlink PATH | stat PATH | lstat PATH
 *   ls PATH                      the directory's entries as "name inode", in the order readdir gives them
 *   flip PATH TARGET N           N times: move the directory PATH aside, put a symlink to TARGET in its place,
 *                                then put the directory back (the other half of a race)
 *   race PATH INSIDE N           N times: read PATH/canary.txt and create PATH/new-<i>; prints how many reads saw
 *                                INSIDE, were refused, or saw anything else (and the first such content)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

static int slots[26];

static int slot(const char *name) { return slots[(name[0] - 'A') % 26]; }

static void fail(const char *cmd) { printf("%s: error %s\n", cmd, strerror(errno)); }

static void print_fd(const char *cmd, int fd) {
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    if (n < 0) { fail(cmd); close(fd); return; }
    buf[n] = 0;
    while (n > 0 && buf[n - 1] == '\n') buf[--n] = 0;
    printf("%s: %s\n", cmd, buf);
    close(fd);
}

static void write_fd(const char *cmd, int fd, const char *text) {
    if (fd < 0) { fail(cmd); return; }
    if (write(fd, text, strlen(text)) < 0) fail(cmd); else printf("%s: ok\n", cmd);
    close(fd);
}

static void done(const char *cmd, int rc) { if (rc < 0) fail(cmd); else printf("%s: ok\n", cmd); }

static void stat_result(const char *cmd, int rc, struct stat *st) {
    if (rc < 0) fail(cmd); else printf("%s: size %lld\n", cmd, (long long) st->st_size);
}

static void flip(const char *path, const char *target, int n) {
    char aside[1024];
    snprintf(aside, sizeof aside, "%s.aside", path);
    int failures = 0;
    for (int i = 0; i < n; i++) {
        if (rename(path, aside) < 0) { failures++; continue; }
        if (symlink(target, path) < 0) failures++;
        unlink(path);
        if (rename(aside, path) < 0) failures++;
    }
    printf("flip: %d rounds, %d failures\n", n, failures);
}

static void race(const char *dir, const char *inside, int n) {
    char path[1024], buf[256];
    int seen_inside = 0, refused = 0, other = 0, created = 0;
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/canary.txt", dir);
        int fd = open(path, O_RDONLY);
        if (fd < 0) {
            refused++;
        } else {
            ssize_t len = read(fd, buf, sizeof buf - 1);
            close(fd);
            buf[len < 0 ? 0 : len] = 0;
            if (strcmp(buf, inside) == 0) {
                seen_inside++;
            } else if (other++ < 3) {
                printf("race: read something else: %s\n", buf);
            }
        }
        snprintf(path, sizeof path, "%s/new-%d", dir, i);
        fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
        if (fd >= 0) { created++; close(fd); }
    }
    printf("race: %d tries, inside %d, refused %d, other %d, created %d\n", n, seen_inside, refused, other, created);
}

static void run(char **a, int n) {
    const char *c = a[0];
    struct stat st;
    char buf[1024];
    if (!strcmp(c, "opendir") && n == 3) {
        int fd = open(a[2], O_RDONLY | O_DIRECTORY);
        if (fd < 0) fail(c); else { slots[(a[1][0] - 'A') % 26] = fd; printf("%s: ok\n", c); }
    } else if (!strcmp(c, "readat") && n == 3) {
        int fd = openat(slot(a[1]), a[2], O_RDONLY);
        if (fd < 0) fail(c); else print_fd(c, fd);
    } else if (!strcmp(c, "createat") && n == 4) {
        write_fd(c, openat(slot(a[1]), a[2], O_CREAT | O_EXCL | O_WRONLY, 0644), a[3]);
    } else if (!strcmp(c, "linkat") && n == 4) {
        done(c, linkat(slot(a[1]), a[2], AT_FDCWD, a[3], 0));
    } else if (!strcmp(c, "statat") && n == 3) {
        stat_result(c, fstatat(slot(a[1]), a[2], &st, 0), &st);
    } else if (!strcmp(c, "unlinkat") && n == 3) {
        done(c, unlinkat(slot(a[1]), a[2], 0));
    } else if (!strcmp(c, "read") && n == 2) {
        int fd = open(a[1], O_RDONLY);
        if (fd < 0) fail(c); else print_fd(c, fd);
    } else if (!strcmp(c, "write") && n == 3) {
        write_fd(c, open(a[1], O_CREAT | O_WRONLY | O_TRUNC, 0644), a[2]);
    } else if (!strcmp(c, "mkdir") && n == 2) {
        done(c, mkdir(a[1], 0755));
    } else if (!strcmp(c, "rename") && n == 3) {
        done(c, rename(a[1], a[2]));
    } else if (!strcmp(c, "symlink") && n == 3) {
        done(c, symlink(a[1], a[2]));
    } else if (!strcmp(c, "link") && n == 3) {
        done(c, link(a[1], a[2]));
    } else if (!strcmp(c, "unlink") && n == 2) {
        done(c, unlink(a[1]));
    } else if (!strcmp(c, "readlink") && n == 2) {
        ssize_t len = readlink(a[1], buf, sizeof buf - 1);
        if (len < 0) fail(c); else { buf[len] = 0; printf("%s: %s\n", c, buf); }
    } else if (!strcmp(c, "stat") && n == 2) {
        stat_result(c, stat(a[1], &st), &st);
    } else if (!strcmp(c, "lstat") && n == 2) {
        stat_result(c, lstat(a[1], &st), &st);
    } else if (!strcmp(c, "ls") && n == 2) {
        DIR *d = opendir(a[1]);
        if (!d) { fail(c); return; }
        struct dirent *e;
        while ((e = readdir(d)) != NULL) printf("%s: %s %llu\n", c, e->d_name, (unsigned long long) e->d_ino);
        closedir(d);
    } else if (!strcmp(c, "flip") && n == 4) {
        flip(a[1], a[2], atoi(a[3]));
    } else if (!strcmp(c, "race") && n == 4) {
        race(a[1], a[2], atoi(a[3]));
    } else {
        printf("%s: bad command (%d words)\n", c, n);
    }
    fflush(stdout);
}

int main(int argc, char **argv) {
    int start = 1;
    for (int i = 1; i <= argc; i++) {
        if (i == argc || !strcmp(argv[i], "--")) {
            if (i > start) run(argv + start, i - start);
            start = i + 1;
        }
    }
    return 0;
}
