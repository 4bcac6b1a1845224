/* Dense f64 matrix multiply, 128x128, i-k-j order: f64 loads, multiply-adds, stores. */
#include "common.h"

#define N 128
static double a[N][N], b[N][N], c[N][N];

EXPORT("run") i64 run(i32 n) {
    for (i32 i = 0; i < N; i++)
        for (i32 j = 0; j < N; j++) {
            a[i][j] = (double)((i * 7 + j * 3) % 17) * 0.25 - 2.0;
            b[i][j] = (double)((i * 5 + j * 11) % 13) * 0.5 - 3.0;
        }
    u64 check = 0;
    for (i32 rep = 0; rep < n; rep++) {
        for (i32 i = 0; i < N; i++)
            for (i32 j = 0; j < N; j++) c[i][j] = 0.0;
        for (i32 i = 0; i < N; i++)
            for (i32 k = 0; k < N; k++) {
                double aik = a[i][k];
                for (i32 j = 0; j < N; j++) c[i][j] += aik * b[k][j];
            }
        double trace = 0.0;
        for (i32 i = 0; i < N; i++) trace += c[i][i] + c[i][N - 1 - i];
        check = check * 31 + f64_bits(trace);
        /* feed the result back so rounds differ */
        a[rep % N][rep % N] = trace * 1e-6;
    }
    return (i64)check;
}
