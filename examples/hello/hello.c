/* hello: the smallest WASI command. Prints "Hello, world!" and exits 0. */
#include <stdio.h>

int main(void) {
    puts("Hello, world!");
    return 0;
}
