/* Grows its linear memory 1 MiB at a time, forever; when growth fails it aborts (traps), as a C program
 * whose malloc failed would. The host must report its memory limit, not a bare trap or a JVM crash. */
int main(void) {
    for (;;) {
        if (__builtin_wasm_memory_grow(0, 16) == (__SIZE_TYPE__) -1) __builtin_trap();
    }
}
