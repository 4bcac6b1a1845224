/* exit(3) after output (stdio must be flushed by exit). */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    printf("about to exit with 3\n");
    exit(3);
}
