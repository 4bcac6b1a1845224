/* An image filter on a 512x512 u8 grayscale image: a separable 3x3 Gaussian blur
 * ([1 2 1] x [1 2 1] / 16, edges clamped) in i16x8 — rows widened from u8
 * (extend_low/high), vertical sums into a u16 row, horizontal sums from unaligned loads,
 * rounding shift, narrowing back to u8 with saturation — then a contrast stretch with
 * saturating u8 arithmetic and an avgr_u with the original image, moved by a row each
 * pass so that no two passes give the same image. Integer only. */
#include <wasm_simd128.h>

#include "../workloads/common.h"

#define W 512
#define H 512
static u8 orig[H][W] __attribute__((aligned(16)));
static u8 img[H][W] __attribute__((aligned(16)));
static u8 out[H][W] __attribute__((aligned(16)));
/* The vertical sums of one row, with 8 clamped entries on each side. */
static u16 vsum[W + 16] __attribute__((aligned(16)));

static void generate(void) {
    rng_seed(0xB1A5);
    for (i32 y = 0; y < H; y++)
        for (i32 x = 0; x < W; x++) {
            u32 noise = (u32)(rng_next() >> 58);
            u32 pattern = ((x / 32 + y / 32) & 1) ? 180 : 60;
            u32 ring = ((u32)((x - 256) * (x - 256) + (y - 200) * (y - 200)) / 700) & 1 ? 40 : 0;
            orig[y][x] = (u8)(pattern + ring + noise - 20);
        }
}

static void blur_row(u8 (*src)[W], u8 *dst, i32 y) {
    const u8 *up = src[y > 0 ? y - 1 : 0], *mid = src[y], *down = src[y < H - 1 ? y + 1 : H - 1];
    for (i32 x = 0; x < W; x += 16) {
        v128_t u = wasm_v128_load(up + x), m = wasm_v128_load(mid + x), d = wasm_v128_load(down + x);
        v128_t lo = wasm_i16x8_add(wasm_i16x8_add(wasm_u16x8_extend_low_u8x16(u), wasm_u16x8_extend_low_u8x16(d)),
                                   wasm_i16x8_shl(wasm_u16x8_extend_low_u8x16(m), 1));
        v128_t hi = wasm_i16x8_add(wasm_i16x8_add(wasm_u16x8_extend_high_u8x16(u), wasm_u16x8_extend_high_u8x16(d)),
                                   wasm_i16x8_shl(wasm_u16x8_extend_high_u8x16(m), 1));
        wasm_v128_store(&vsum[8 + x], lo);
        wasm_v128_store(&vsum[16 + x], hi);
    }
    vsum[7] = vsum[8];
    vsum[8 + W] = vsum[7 + W];
    const v128_t round = wasm_i16x8_splat(8);
    for (i32 x = 0; x < W; x += 16) {
        const u16 *s = &vsum[8 + x];
        v128_t lo = wasm_i16x8_add(wasm_i16x8_add(wasm_v128_load(s - 1), wasm_v128_load(s + 1)),
                                   wasm_i16x8_shl(wasm_v128_load(s), 1));
        v128_t hi = wasm_i16x8_add(wasm_i16x8_add(wasm_v128_load(s + 7), wasm_v128_load(s + 9)),
                                   wasm_i16x8_shl(wasm_v128_load(s + 8), 1));
        lo = wasm_u16x8_shr(wasm_i16x8_add(lo, round), 4);
        hi = wasm_u16x8_shr(wasm_i16x8_add(hi, round), 4);
        wasm_v128_store(dst + x, wasm_u8x16_narrow_i16x8(lo, hi));
    }
}

/* img = avgr(2 * sat(out - 64), the original image moved down by `shift` rows). */
static void stretch(i32 shift) {
    const v128_t k = wasm_i8x16_splat(64);
    for (i32 y = 0; y < H; y++) {
        const u8 *o = orig[(y + shift) % H];
        for (i32 x = 0; x < W; x += 16) {
            v128_t v = wasm_u8x16_sub_sat(wasm_v128_load(&out[y][x]), k);
            v = wasm_u8x16_add_sat(v, v);
            wasm_v128_store(&img[y][x], wasm_u8x16_avgr(v, wasm_v128_load(o + x)));
        }
    }
}

EXPORT("run") i64 run(i32 n) {
    generate();
    for (i32 y = 0; y < H; y++)
        for (i32 x = 0; x < W; x++) img[y][x] = orig[y][x];
    for (i32 rep = 0; rep < n; rep++) {
        for (i32 y = 0; y < H; y++) blur_row(img, out[y], y);
        stretch(rep % H);
    }
    u64 check = 0xcbf29ce484222325ull;
    for (i32 y = 0; y < H; y++) {
        u32 row = 0;
        for (i32 x = 0; x < W; x++) row = row * 31 + img[y][x] + out[y][x];
        check = (check ^ row) * 0x100000001B3ull;
    }
    return (i64)check;
}
