/* f32 matrix multiply, 64x64, with f32x4: each row of C is computed in blocks of 16
 * columns held in four f32x4 accumulators (splat of A[i][k], four loads of B's row k,
 * four multiplies, four adds per k); then f32x4 dot products of C's rows with a vector
 * and a checksum of their bits. Inputs are multiples of 1/4 in [-2, 2], so every value is
 * finite and no NaN can appear: the checksum is the same on every engine. */
#include <wasm_simd128.h>

#include "../workloads/common.h"

#define N 64
static float a[N][N] __attribute__((aligned(16)));
static float b[N][N] __attribute__((aligned(16)));
static float c[N][N] __attribute__((aligned(16)));
static float x[N] __attribute__((aligned(16)));

static u32 f32_bits(float f) {
    union { float f; u32 u; } v = { f };
    return v.u;
}

static void matmul(void) {
    for (i32 i = 0; i < N; i++)
        for (i32 j = 0; j < N; j += 16) {
            v128_t c0 = wasm_f32x4_splat(0.0f), c1 = c0, c2 = c0, c3 = c0;
            for (i32 k = 0; k < N; k++) {
                v128_t aik = wasm_f32x4_splat(a[i][k]);
                const float *bk = &b[k][j];
                c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(aik, wasm_v128_load(bk)));
                c1 = wasm_f32x4_add(c1, wasm_f32x4_mul(aik, wasm_v128_load(bk + 4)));
                c2 = wasm_f32x4_add(c2, wasm_f32x4_mul(aik, wasm_v128_load(bk + 8)));
                c3 = wasm_f32x4_add(c3, wasm_f32x4_mul(aik, wasm_v128_load(bk + 12)));
            }
            wasm_v128_store(&c[i][j], c0);
            wasm_v128_store(&c[i][j + 4], c1);
            wasm_v128_store(&c[i][j + 8], c2);
            wasm_v128_store(&c[i][j + 12], c3);
        }
}

/* y[i] = dot(C[i], x), four lanes at a time with two accumulators. */
static u64 dots(void) {
    u64 h = 0;
    for (i32 i = 0; i < N; i++) {
        v128_t s0 = wasm_f32x4_splat(0.0f), s1 = s0;
        for (i32 j = 0; j < N; j += 8) {
            s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(wasm_v128_load(&c[i][j]), wasm_v128_load(&x[j])));
            s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(wasm_v128_load(&c[i][j + 4]), wasm_v128_load(&x[j + 4])));
        }
        v128_t s = wasm_f32x4_add(s0, s1);
        float y = (wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 1)) +
                  (wasm_f32x4_extract_lane(s, 2) + wasm_f32x4_extract_lane(s, 3));
        h = h * 0x100000001B3ull + f32_bits(y);
    }
    return h;
}

EXPORT("run") i64 run(i32 n) {
    for (i32 i = 0; i < N; i++) {
        for (i32 j = 0; j < N; j++) {
            a[i][j] = (float)((i * 7 + j * 3) % 17) * 0.25f - 2.0f;
            b[i][j] = (float)((i * 5 + j * 11) % 13) * 0.25f - 1.5f;
        }
        x[i] = (float)(i % 9) * 0.25f - 1.0f;
    }
    u64 check = 0;
    for (i32 rep = 0; rep < n; rep++) {
        matmul();
        u64 h = dots();
        check = check * 31 + h;
        /* Feed the result back (still a multiple of 1/4 in [-2, 2]) so rounds differ. */
        a[rep % N][(rep * 13) % N] = (float)((h >> 7) % 17) * 0.25f - 2.0f;
        b[(rep * 5) % N][rep % N] = (float)((h >> 19) % 13) * 0.25f - 1.5f;
    }
    return (i64)check;
}
