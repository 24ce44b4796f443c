// A demo of how a Keep hands secrets to its guest (see README.md): it prints what it received.
// A real workload uses its secrets and never prints them; this one exists for demos and tests.
//
//   show-secrets [NAME...]   prints each environment variable NAME, then every file of the secrets directory, then
//                            (by descriptor) each NAME that is no environment variable
//
// The directory is found by path (DONJON_SECRETS_DIR, a preopen that wasi-libc registers) and, for guests whose
// Enarx.toml puts sockets before it (wasi-libc stops looking for preopens at the first fd that is not a
// directory), by descriptor with openat(DONJON_SECRETS_FD, name).
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void show(const char *how, const char *name, int fd) {
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  if (n < 0) {
    printf("%s %s: %s\n", how, name, strerror(errno));
    return;
  }
  buf[n] = '\0';
  printf("%s %s (%zd bytes): %s\n", how, name, n, buf);
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *v = getenv(argv[i]);
    printf("env %s=%s\n", argv[i], v ? v : "(unset)");
  }
  const char *dir = getenv("DONJON_SECRETS_DIR");
  if (dir == NULL) {
    printf("no secrets directory\n");
    return 0;
  }
  DIR *d = opendir(dir);
  if (d == NULL) {
    printf("opendir %s: %s\n", dir, strerror(errno));
  } else {
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      if (e->d_name[0] == '.') continue;
      char path[1024];
      snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
      int fd = open(path, O_RDONLY);
      if (fd < 0) {
        printf("file %s: %s\n", e->d_name, strerror(errno));
        continue;
      }
      show("file", e->d_name, fd);
      close(fd);
    }
    closedir(d);
    char added[1024];
    snprintf(added, sizeof added, "%s/added", dir);
    int w = open(added, O_WRONLY | O_CREAT, 0600);
    printf("create %s: %s\n", added, w < 0 ? strerror(errno) : "allowed");
  }
  const char *fdText = getenv("DONJON_SECRETS_FD");
  if (fdText != NULL) {
    // by descriptor: every argument that is no environment variable names a file
    for (int i = 1; i < argc; i++) {
      if (getenv(argv[i]) != NULL) continue;
      int fd = openat(atoi(fdText), argv[i], O_RDONLY);
      if (fd < 0) printf("openat %s: %s\n", argv[i], strerror(errno));
      else show("openat", argv[i], fd);
    }
    int up = openat(atoi(fdText), "../escape", O_RDONLY);
    printf("openat ../escape: %s\n", up < 0 ? strerror(errno) : "allowed");
  }
  return 0;
}
