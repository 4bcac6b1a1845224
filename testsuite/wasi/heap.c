/* Heavy malloc/free/realloc: many blocks of varied sizes, freed in a scrambled order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    enum { N = 1500, ROUNDS = 6 };
    static unsigned char *blocks[N];
    static size_t sizes[N];
    unsigned s = 7;
    unsigned long check = 0;
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < N; i++) {
            s = s * 1664525u + 1013904223u;
            sizes[i] = 1 + (s >> 16) % (r % 4 == 3 ? 20000 : 300);
            blocks[i] = malloc(sizes[i]);
            if (!blocks[i]) { printf("malloc failed\n"); return 1; }
            memset(blocks[i], (int)(i + r), sizes[i]);
        }
        for (int i = 0; i < N; i += 3) {
            blocks[i] = realloc(blocks[i], sizes[i] * 2);
            if (!blocks[i]) { printf("realloc failed\n"); return 1; }
            sizes[i] *= 2;
            memset(blocks[i], 0x5a, sizes[i]);
        }
        for (int k = 0; k < N; k++) {
            int i = (k * 7) % N; /* a permutation: gcd(7, N) = 1 */
            check += blocks[i][sizes[i] - 1] + sizes[i];
            free(blocks[i]);
        }
    }
    printf("heap ok, check %lu\n", check);
    return 0;
}
