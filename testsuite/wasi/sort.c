/* qsort of 20000 pseudo-random ints and of strings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void) {
    enum { N = 20000 };
    static int v[N];
    unsigned s = 12345;
    for (int i = 0; i < N; i++) { s = s * 1103515245u + 12345u; v[i] = (int)(s >> 8) % 100000 - 50000; }
    qsort(v, N, sizeof *v, cmp_int);
    long long sum = 0;
    int sorted = 1;
    for (int i = 0; i < N; i++) { sum += v[i]; if (i && v[i - 1] > v[i]) sorted = 0; }
    printf("sorted=%d min=%d max=%d median=%d sum=%lld\n", sorted, v[0], v[N - 1], v[N / 2], sum);
    const char *words[] = {"pear", "apple", "fig", "banana", "cherry", "date", "kiwi", "lemon"};
    qsort(words, 8, sizeof *words, cmp_str);
    for (int i = 0; i < 8; i++) printf("%s%c", words[i], i == 7 ? '\n' : ' ');
    return 0;
}
