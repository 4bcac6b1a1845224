/* SIMD in a WASI program, the way C gets it: loops clang vectorises at -O2 -msimd128
 * (sums, dot products, byte counts, case mapping, float kernels) and GCC/clang vector
 * extensions (lane arithmetic, shuffles, comparisons). The same source builds natively,
 * so the test compares the output with the native program's. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

typedef int32_t v4si __attribute__((vector_size(16)));
typedef uint8_t v16qu __attribute__((vector_size(16)));
typedef int16_t v8hi __attribute__((vector_size(16)));
typedef float v4sf __attribute__((vector_size(16)));
typedef double v2df __attribute__((vector_size(16)));

#define N 4099

static int32_t a[N], b[N];
static uint8_t text[N];
static float fx[N], fy[N];

__attribute__((noinline)) static int64_t dot(const int32_t *x, const int32_t *y, int n) {
    int64_t s = 0;
    for (int i = 0; i < n; i++) s += (int64_t)x[i] * y[i];
    return s;
}

__attribute__((noinline)) static int32_t sum_max(const int32_t *x, int n, int32_t *max) {
    int32_t s = 0, m = INT32_MIN;
    for (int i = 0; i < n; i++) {
        s += x[i];
        m = x[i] > m ? x[i] : m;
    }
    *max = m;
    return s;
}

__attribute__((noinline)) static int count_byte(const uint8_t *s, int n, uint8_t c) {
    int k = 0;
    for (int i = 0; i < n; i++) k += s[i] == c;
    return k;
}

__attribute__((noinline)) static void upper(uint8_t *s, int n) {
    for (int i = 0; i < n; i++) s[i] = (s[i] >= 'a' && s[i] <= 'z') ? (uint8_t)(s[i] - 32) : s[i];
}

__attribute__((noinline)) static void saxpy(float k, const float *x, float *y, int n) {
    for (int i = 0; i < n; i++) y[i] = k * x[i] + y[i];
}

__attribute__((noinline)) static void roots(float *x, int n) {
    for (int i = 0; i < n; i++) x[i] = sqrtf(x[i]);
}

__attribute__((noinline)) static void absdiff(const uint8_t *x, const uint8_t *y, uint8_t *out, int n) {
    for (int i = 0; i < n; i++) out[i] = x[i] > y[i] ? (uint8_t)(x[i] - y[i]) : (uint8_t)(y[i] - x[i]);
}

static void print_v4si(const char *what, v4si v) { printf("%s [%d %d %d %d]\n", what, v[0], v[1], v[2], v[3]); }

int main(void) {
    uint32_t seed = 12345;
    for (int i = 0; i < N; i++) {
        seed = seed * 1103515245u + 12345u;
        a[i] = (int32_t)(seed >> 8) % 20001 - 10000;
        b[i] = (int32_t)(seed >> 4) % 301 - 150;
        text[i] = (uint8_t)"the quick brown fox jumps over the lazy dog, EVERY day! "[i % 56];
        fx[i] = (float)(i % 97) * 0.5f;
        fy[i] = (float)(i % 13) - 6.0f;
    }
    printf("dot %lld\n", (long long)dot(a, b, N));
    int32_t m;
    int32_t s = sum_max(a, N, &m);
    printf("sum %d max %d\n", s, m);
    printf("e %d space %d\n", count_byte(text, N, 'e'), count_byte(text, N, ' '));
    upper(text, N);
    printf("upper %.40s\n", (const char *)text);
    saxpy(0.25f, fx, fy, N);
    double fs = 0;
    for (int i = 0; i < N; i++) fs += fy[i];
    printf("saxpy %.3f\n", fs);
    roots(fx, N);
    printf("roots %.6f %.6f %.6f\n", fx[4], fx[50], fx[N - 1]);
    uint8_t diff[N];
    absdiff(text, text + 1, diff, N - 1);
    unsigned long dsum = 0;
    for (int i = 0; i < N - 1; i++) dsum += diff[i];
    printf("absdiff %lu\n", dsum);

    /* Vector extensions: lanes, shuffles, comparisons. */
    v4si x = {1, -2, 3, -4}, y = {10, 20, 30, 40};
    print_v4si("add", x + y);
    print_v4si("mul", x * y);
    print_v4si("shl", y << 3);
    print_v4si("sra", x >> 1);
    print_v4si("lt", x < y);
    print_v4si("shuffle", __builtin_shufflevector(x, y, 7, 0, 5, 2));
    v16qu bytes = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 255};
    v16qu rev = __builtin_shufflevector(bytes, bytes, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    v16qu sum8 = bytes + rev;
    printf("bytes %u %u %u\n", sum8[0], sum8[7], sum8[15]);
    v8hi h = {1000, -1000, 32767, -32768, 7, 8, 9, 10};
    v8hi h2 = h * (v8hi){3, 3, 2, 2, -1, -1, 0, 1};
    printf("i16 %d %d %d %d %d\n", h2[0], h2[1], h2[2], h2[3], h2[7]);
    v4sf f = {1.5f, -2.25f, 1e30f, 0.0f};
    v4sf g = f * f + (v4sf){1, 1, 1, 1};
    printf("f32 %g %g %g %g\n", g[0], g[1], g[2], g[3]);
    v2df d = {1.0 / 3.0, -8.5};
    v2df e = d / (v2df){3.0, 0.5};
    printf("f64 %.17g %.17g\n", e[0], e[1]);
    return 0;
}
