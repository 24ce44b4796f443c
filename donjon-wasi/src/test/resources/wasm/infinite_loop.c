/* Never ends: the host's wall-time limit must stop it. */
volatile unsigned long counter;

int main(void) {
    for (;;) counter++;
}
