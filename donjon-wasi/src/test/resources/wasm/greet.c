/* greet: prints "hello, ARG" for its first argument (or "world"); used to check a module runs the same
 * whether compiled afresh or loaded from the compiled-module cache. */
#include <stdio.h>

int main(int argc, char **argv) {
    printf("hello, %s\n", argc > 1 ? argv[1] : "world");
    return 0;
}
